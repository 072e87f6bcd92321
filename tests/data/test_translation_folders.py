"""paired_folder and unpaired_folder: pix2pix's and CycleGAN's layouts, and each refusal as one sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import PairedDataset, UnpairedDataset, load_dataset
from gankit.errors import GankitError


def _save(path: Path, size=(4, 3), value=0, mode="L") -> Path:
    """A PNG of `size` (width, height) whose pixel (r, c) is value + r * width + c."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    pixels = (value + np.arange(h * w).reshape(h, w)).astype(np.uint8)
    if mode == "RGB":
        pixels = np.stack([pixels] * 3, axis=-1)
    Image.fromarray(pixels, mode).save(path)
    return path


def _side_by_side(path: Path, left: int, right: int, size=(4, 3)) -> Path:
    """An A|B PNG: A's pixels start at `left`, B's at `right`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    a = left + np.arange(h * w).reshape(h, w)
    b = right + np.arange(h * w).reshape(h, w)
    Image.fromarray(np.concatenate([a, b], axis=1).astype(np.uint8), "L").save(path)
    return path


def _pixels(value: int, size=(4, 3)) -> torch.Tensor:
    w, h = size
    return (value + torch.arange(h * w).view(1, h, w)).to(torch.uint8)


def test_side_by_side_layout(tmp_path, make_cfg):
    _side_by_side(tmp_path / "train" / "2.png", 20, 120)
    _side_by_side(tmp_path / "train" / "1.png", 10, 110)
    _side_by_side(tmp_path / "test" / "1.png", 50, 150)
    ds = load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    assert isinstance(ds, PairedDataset) and ds.a.shape == ds.b.shape == (2, 1, 3, 4) and ds.labels is None
    assert torch.equal(ds.a[0], _pixels(10)) and torch.equal(ds.b[0], _pixels(110))  # sorted by name
    assert torch.equal(ds.a[1], _pixels(20)) and torch.equal(ds.b[1], _pixels(120))
    test = load_dataset(make_cfg(name="paired_folder", path=tmp_path, split="test"))
    assert len(test) == 1 and torch.equal(test.a[0], _pixels(50))  # the test split never mixes into train
    swapped = load_dataset(make_cfg(name="paired_folder", path=tmp_path, direction="BtoA"))
    assert torch.equal(swapped.a, ds.b) and torch.equal(swapped.b, ds.a)
    resized = load_dataset(make_cfg(name="paired_folder", path=tmp_path, resolution=6, channels=3, limit=1))
    assert resized.a.shape == resized.b.shape == (1, 3, 6, 6)


def test_a_b_layout_matches_by_name(tmp_path, make_cfg):
    for split, base in (("train", 0), ("test", 60)):
        _save(tmp_path / "A" / split / "x.png", value=base + 1)
        _save(tmp_path / "B" / split / "x.jpg", value=base + 101, mode="RGB")
        _save(tmp_path / "A" / split / "y.png", value=base + 2)
        _save(tmp_path / "B" / split / "y.png", value=base + 102)
    ds = load_dataset(make_cfg(name="paired_folder", path=tmp_path, split="test"))
    # One RGB file makes both sides RGB; the pair x stays together.
    assert ds.a.shape == (2, 3, 3, 4) and ds.b.shape == (2, 3, 3, 4)
    assert torch.equal(ds.a[1, 0], _pixels(62)[0]) and torch.equal(ds.b[1, 0], _pixels(162)[0])


def test_a_b_layout_flat_files(tmp_path, make_cfg):
    _save(tmp_path / "A" / "p.png", value=3)
    _save(tmp_path / "B" / "p.png", value=4)
    ds = load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    assert len(ds) == 1 and torch.equal(ds.b[0], _pixels(4))
    with pytest.raises(GankitError, match=r"holds its images directly .* no test split; .* or set data.split=train\.$"):
        load_dataset(make_cfg(name="paired_folder", path=tmp_path, split="test"))


def test_odd_width_refused(tmp_path, make_cfg):
    bad = _side_by_side(tmp_path / "train" / "odd.png", 0, 0)
    Image.open(bad).crop((0, 0, 7, 3)).save(bad)
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    assert str(info.value) == (f"{bad} is 7x3, an odd width, so it cannot be cut into A (left half) and B (right "
                               f"half); crop or pad it to an even width.")


def test_missing_partner_named(tmp_path, make_cfg):
    _save(tmp_path / "A" / "train" / "shoe1.png")
    lonely = _save(tmp_path / "A" / "train" / "shoe2.png")
    _save(tmp_path / "B" / "train" / "shoe1.png")
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    assert str(info.value) == (f"{lonely} has no partner in {tmp_path / 'B' / 'train'} (partners share the file "
                               f"name, extension aside); add shoe2.png there or remove shoe2.png.")
    (tmp_path / "A" / "train" / "shoe2.png").unlink()
    _save(tmp_path / "B" / "train" / "extra.png")
    with pytest.raises(GankitError, match="extra.png has no partner in .*A"):
        load_dataset(make_cfg(name="paired_folder", path=tmp_path))


def test_mixed_sizes_refused_or_resized(tmp_path, make_cfg):
    first = _side_by_side(tmp_path / "train" / "a.png", 0, 0)
    second = _side_by_side(tmp_path / "train" / "b.png", 0, 0, size=(5, 3))
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    assert str(info.value) == (f"{first} is 8x3 but {second} is 10x3; set data.resolution to resize every image "
                               f"to one square size.")
    assert load_dataset(make_cfg(name="paired_folder", path=tmp_path, resolution=4)).a.shape == (2, 1, 4, 4)


def test_unknown_layout(tmp_path, make_cfg):
    (tmp_path / "photos").mkdir()
    with pytest.raises(GankitError, match=r"has neither A/ and B/ folders nor a train/ folder of A\|B images; lay"):
        load_dataset(make_cfg(name="paired_folder", path=tmp_path))
    with pytest.raises(GankitError, match="data.name=paired_folder needs a path; set data.path="):
        load_dataset(make_cfg(name="paired_folder"))


def test_unpaired_layout(tmp_path, make_cfg):
    for i in range(3):
        _save(tmp_path / "trainA" / f"{i}.png", value=i)
    _save(tmp_path / "trainB" / "z.png", value=200)
    _save(tmp_path / "testA" / "t.png", value=90)
    _save(tmp_path / "testB" / "t.png", value=91)
    ds = load_dataset(make_cfg(name="unpaired_folder", path=tmp_path, jitter=True))
    assert isinstance(ds, UnpairedDataset) and ds.a.shape == (3, 1, 3, 4) and ds.b.shape == (1, 1, 3, 4)
    assert len(ds) == 3 and ds.labels_a is None and ds.pairs_b is None and ds.jitter
    test = load_dataset(make_cfg(name="unpaired_folder", path=tmp_path, split="test", resolution=5))
    assert test.a.shape == test.b.shape == (1, 1, 5, 5)
    assert len(load_dataset(make_cfg(name="unpaired_folder", path=tmp_path, limit=2)).a) == 2


def test_unpaired_refusals(tmp_path, make_cfg):
    (tmp_path / "trainA").mkdir()
    _save(tmp_path / "trainB" / "b.png")
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="unpaired_folder", path=tmp_path))
    assert str(info.value) == (f"{tmp_path / 'trainA'} has no PNG or JPEG images; put the train images of "
                               f"domain A there.")
    with pytest.raises(GankitError, match=r"testA does not exist; data.name=unpaired_folder reads testA/ and testB/"):
        load_dataset(make_cfg(name="unpaired_folder", path=tmp_path, split="test"))
    _save(tmp_path / "trainA" / "a.png", size=(6, 6))
    with pytest.raises(GankitError, match=r"a.png is 6x6 but .*b.png is 4x3; set data.resolution"):
        load_dataset(make_cfg(name="unpaired_folder", path=tmp_path))
