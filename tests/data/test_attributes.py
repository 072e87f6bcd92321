"""data.name=attributes: CelebA-style attribute lists as multi-label ImageDatasets, and their refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import ImageDataset, load_dataset, spec_of
from gankit.data.images import apply_options
from gankit.errors import GankitError

HEADER = "Black_Hair Blond_Hair Male Smiling"
ROWS = ["000001.jpg  1 -1  1 -1", "000002.jpg -1  1 -1  1", "000003.jpg -1 -1  1  1"]


def _celeba(folder: Path, rows=ROWS, header=HEADER, count=None, name="list_attr_celeba.txt") -> Path:
    """Images 000001.jpg... (value 40 * i) and an attribute list in CelebA's format."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, row in enumerate(rows):
        file = row.split()[0]
        if not (folder / file).exists():
            Image.fromarray(np.full((5, 4, 3), 40 * i, np.uint8)).save(folder / file, quality=100)
    text = f"{len(rows) if count is None else count}\n{header}\n" + "\n".join(rows) + "\n"
    path = folder / name
    path.write_text(text)
    return path


def test_reads_chosen_columns_as_multi_label(tmp_path, make_cfg):
    _celeba(tmp_path)
    ds = load_dataset(make_cfg(name="attributes", path=tmp_path, attributes=["Male", "Blond_Hair"]))
    assert isinstance(ds, ImageDataset) and ds.multi_label and ds.images.shape == (3, 3, 5, 4)
    assert ds.labels.dtype == torch.float32 and ds.labels.tolist() == [[1, 0], [0, 1], [1, 0]]
    assert ds.num_classes == 2 and ds.class_names == ("Male", "Blond_Hair")
    assert spec_of(ds)[:5] == ("image", (3, 5, 4), 2, ("Male", "Blond_Hair"), True)
    every = load_dataset(make_cfg(name="attributes", path=tmp_path, limit=2, resolution=4, channels=1))
    assert every.class_names == tuple(HEADER.split()) and every.images.shape == (2, 1, 4, 4)
    x, y = every.sample(5, torch.Generator().manual_seed(0))
    assert x.shape == (5, 1, 4, 4) and y.shape == (5, 4) and y.dtype == torch.float32


def test_attributes_file_elsewhere(tmp_path, make_cfg):
    _celeba(tmp_path / "img")
    (tmp_path / "img" / "list_attr_celeba.txt").rename(tmp_path / "attrs.txt")
    ds = load_dataset(make_cfg(name="attributes", path=tmp_path / "img", attributes_file="../attrs.txt"))
    assert len(ds) == 3
    with pytest.raises(GankitError, match=r"list_attr_celeba.txt does not exist; set data.attributes_file"):
        load_dataset(make_cfg(name="attributes", path=tmp_path / "img"))


def test_unknown_column_lists_valid_ones_nearest_first(tmp_path, make_cfg):
    path = _celeba(tmp_path)
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="attributes", path=tmp_path, attributes=["Blond"]))
    assert str(info.value) == (f"data.attributes names 'Blond', which is not a column of {path}; the valid ones, "
                               f"nearest first: Blond_Hair, Smiling, Black_Hair, Male.")  # difflib's ratio
    with pytest.raises(GankitError, match="data.attributes names 'Male' twice; list each attribute once."):
        load_dataset(make_cfg(name="attributes", path=tmp_path, attributes=["Male", "Male"]))


def test_row_naming_a_missing_image(tmp_path, make_cfg):
    path = _celeba(tmp_path)
    (tmp_path / "000002.jpg").unlink()
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="attributes", path=tmp_path))
    assert str(info.value) == (f"{path} line 4 names 000002.jpg, which is not in {tmp_path}; add the image or "
                               f"remove the line.")


def test_wrong_number_of_values_names_the_line(tmp_path, make_cfg):
    path = _celeba(tmp_path, rows=ROWS[:2] + ["000003.jpg -1 1 1"])
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="attributes", path=tmp_path))
    assert str(info.value) == (f"{path} line 5 has 3 values but line 2 names 4 attributes; give that line a file "
                               f"name and one 1 or -1 per attribute.")


@pytest.mark.parametrize("rows, count, header, message", [
    (ROWS, 7, HEADER, "line 1 says 7 images but 3 image lines follow; correct the count on line 1."),
    (ROWS[:1] + ["000002.jpg 1 2 1 1"], None, HEADER,
     "line 4 has '2' for Blond_Hair; each attribute value must be 1 or -1."),
    (ROWS, "many", HEADER, "line 1 is 'many', not the number of images; put the image count there"),
    (ROWS, None, "", "line 2 is empty; put the attribute names there"),
])
def test_malformed_lists(tmp_path, make_cfg, rows, count, header, message):
    _celeba(tmp_path, rows=rows, count=count, header=header)
    with pytest.raises(GankitError, match=message.replace("(", r"\(")):
        load_dataset(make_cfg(name="attributes", path=tmp_path))


def test_multi_label_image_dataset():
    images = torch.zeros(3, 1, 2, 2, dtype=torch.uint8)
    labels = torch.tensor([[1, 0], [0, 0], [1, 1]])
    ds = ImageDataset(images, labels, name="faces", class_names=("a", "b"), multi_label=True)
    assert ds.labels.dtype == torch.float32 and ds.num_classes == 2 and ds.to("cpu").multi_label
    assert apply_options(ds, _Options(limit=2)).multi_label
    with pytest.raises(ValueError):
        ImageDataset(images, torch.zeros(3), multi_label=True)
    with pytest.raises(ValueError):
        ImageDataset(images, torch.full((3, 2), 0.5), multi_label=True)


class _Options:
    """The three image options apply_options reads."""

    def __init__(self, limit=None):
        self.resolution, self.channels, self.limit = None, None, limit
