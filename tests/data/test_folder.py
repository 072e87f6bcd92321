"""Image folders: discovery, labels from sub-folders, modes, sizes and unreadable files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import load_dataset
from gankit.data.folder import list_images
from gankit.errors import GankitError


def _save(path: Path, size=(6, 4), mode="RGB", value=None, seed=0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], 3)
    pixels = rng.integers(0, 256, shape, dtype=np.uint8) if value is None else np.full(shape, value, np.uint8)
    fmt = "JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG"
    Image.fromarray(pixels, mode).save(path, format=fmt)
    return path


def test_flat_folder_is_unlabeled(tmp_path, make_cfg):
    _save(tmp_path / "b.png", seed=1)
    _save(tmp_path / "a.PNG", seed=2)
    _save(tmp_path / "c.JpEg", value=128)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden.png").write_bytes(b"junk")
    ds = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert ds.images.shape == (3, 3, 4, 6) and ds.images.dtype == torch.uint8
    assert ds.labels is None and ds.num_classes == 0
    # Sorted by name: a.PNG first, and pixels survive a lossless PNG round trip.
    a = np.array(Image.open(tmp_path / "a.PNG"))
    assert torch.equal(ds.images[0], torch.from_numpy(a).permute(2, 0, 1))


def test_labels_from_subfolders(tmp_path, make_cfg):
    _save(tmp_path / "dog" / "1.png")
    _save(tmp_path / "cat" / "1.png")
    _save(tmp_path / "cat" / "2.jpg")
    (tmp_path / "empty").mkdir()
    ds = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert ds.num_classes == 2
    assert ds.labels.tolist() == [0, 0, 1]  # cat=0, dog=1
    assert ds.class_names == ("cat", "dog")  # what `gankit sample --label dog` matches
    assert list_images(tmp_path)[2] == ["cat", "dog"]


def test_train_and_test_of_class_subfolders_are_the_splits(tmp_path, make_cfg):
    for name in ("boot", "sandal", "sneaker"):
        _save(tmp_path / "train" / name / "1.png", value=10)
        _save(tmp_path / "train" / name / "2.png", value=10)
    _save(tmp_path / "test" / "sneaker" / "9.png", value=200)  # test/ may lack classes: labels follow train/
    _save(tmp_path / "test" / "boot" / "8.png", value=100)
    train = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert len(train) == 6 and train.class_names == ("boot", "sandal", "sneaker") and train.labels.tolist() == [0, 0, 1, 1, 2, 2]
    assert int(train.images.max()) == 10  # no test image
    test = load_dataset(make_cfg(name="folder", path=tmp_path, split="test"))
    assert test.class_names == ("boot", "sandal", "sneaker") and test.num_classes == 3
    assert test.labels.tolist() == [0, 2] and test.images[:, 0, 0, 0].tolist() == [100, 200]


def test_split_folder_refusals(tmp_path, make_cfg):
    _save(tmp_path / "train" / "cat" / "1.png")
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="folder", path=tmp_path, split="test"))
    assert str(info.value) == (f"{tmp_path} holds train/ but no test/; add test/ with one sub-folder per class as "
                               f"in train/, or set data.split=train.")
    _save(tmp_path / "test" / "dog" / "1.png")
    with pytest.raises(GankitError, match=r"test/dog is a class that .*train does not have; the test split's "
                                          r"sub-folders must be among the train split's \(cat\)\.$"):
        load_dataset(make_cfg(name="folder", path=tmp_path, split="test"))
    _save(tmp_path / "test" / "loose.png")
    with pytest.raises(GankitError, match=r"test holds images directly, but .*train has one sub-folder per class"):
        load_dataset(make_cfg(name="folder", path=tmp_path, split="test"))


def test_train_and_test_holding_images_stay_two_classes(tmp_path, make_cfg):
    _save(tmp_path / "train" / "1.png")
    _save(tmp_path / "test" / "1.png")
    ds = load_dataset(make_cfg(name="folder", path=tmp_path, split="test"))
    assert ds.class_names == ("test", "train") and len(ds) == 2


def test_grey_by_default_when_all_grey(tmp_path, make_cfg):
    _save(tmp_path / "a.png", mode="L", value=10)
    _save(tmp_path / "b.png", mode="L", value=20)
    ds = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert ds.shape == (1, 4, 6)
    assert ds.images[:, 0, 0, 0].tolist() == [10, 20]


def test_mixed_modes_become_rgb(tmp_path, make_cfg):
    _save(tmp_path / "a.png", mode="L", value=10)
    _save(tmp_path / "b.png", mode="RGB", value=20)
    ds = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert ds.shape == (3, 4, 6)
    assert ds.images[0, :, 0, 0].tolist() == [10, 10, 10]


def test_channels_conversion(tmp_path, make_cfg):
    path = tmp_path / "a.png"
    Image.fromarray(np.full((4, 4, 3), [200, 100, 50], np.uint8)).save(path)
    grey = load_dataset(make_cfg(name="folder", path=tmp_path, channels=1))
    assert grey.shape == (1, 4, 4)
    assert int(grey.images[0, 0, 0, 0]) == round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)
    _save(tmp_path / "b.png", mode="L", value=7, size=(4, 4))
    rgb = load_dataset(make_cfg(name="folder", path=tmp_path, channels=3))
    assert rgb.shape == (3, 4, 4) and rgb.images[1, :, 0, 0].tolist() == [7, 7, 7]


def test_resolution_center_crops(tmp_path, make_cfg):
    # A 12x4 image: white centre square, black left and right thirds.
    pixels = np.zeros((4, 12), np.uint8)
    pixels[:, 4:8] = 255
    Image.fromarray(pixels, "L").save(tmp_path / "wide.png")
    _save(tmp_path / "small.png", size=(3, 5), mode="L")
    ds = load_dataset(make_cfg(name="folder", path=tmp_path, resolution=8))
    assert ds.images.shape == (2, 1, 8, 8)
    assert int(ds.images[1].min()) == 255  # only the white centre was kept


def test_mixed_sizes_need_resolution(tmp_path, make_cfg):
    first = _save(tmp_path / "a.png", size=(6, 4))
    second = _save(tmp_path / "b.png", size=(5, 4))
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="folder", path=tmp_path))
    message = str(info.value)
    assert str(first) in message and str(second) in message and "data.resolution" in message


def test_no_images(tmp_path, make_cfg):
    (tmp_path / "readme.txt").write_text("hi")
    (tmp_path / "sub").mkdir()
    with pytest.raises(GankitError, match="no PNG or JPEG images"):
        load_dataset(make_cfg(name="folder", path=tmp_path))


def test_missing_folder_and_path(tmp_path, make_cfg):
    with pytest.raises(GankitError, match="does not exist"):
        load_dataset(make_cfg(name="folder", path=tmp_path / "nope"))
    with pytest.raises(GankitError, match="data.path="):
        load_dataset(make_cfg(name="folder"))
    file = _save(tmp_path / "x.png")
    with pytest.raises(GankitError, match="is not a folder"):
        load_dataset(make_cfg(name="folder", path=file))


def test_garbage_png(tmp_path, make_cfg):
    _save(tmp_path / "good.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"definitely not a png")
    with pytest.raises(GankitError, match="bad.png is not a readable image"):
        load_dataset(make_cfg(name="folder", path=tmp_path))


def test_truncated_png(tmp_path, make_cfg):
    _save(tmp_path / "good.png", size=(32, 32))
    bad = _save(tmp_path / "cut.png", size=(32, 32), seed=3)
    bad.write_bytes(bad.read_bytes()[:200])  # the header survives, the pixel data does not
    with pytest.raises(GankitError, match="cut.png is not a readable image"):
        load_dataset(make_cfg(name="folder", path=tmp_path))


def test_limit_reads_only_first(tmp_path, make_cfg):
    for i in range(4):
        _save(tmp_path / f"{i}.png", seed=i)
    (tmp_path / "9.png").write_bytes(b"broken, but past the limit")
    ds = load_dataset(make_cfg(name="folder", path=tmp_path, limit=2))
    assert len(ds) == 2


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path, make_cfg):
    wide = np.array([[0, 257 * 100, 65535]], np.uint16)
    Image.fromarray(wide).save(tmp_path / "deep.png")
    ds = load_dataset(make_cfg(name="folder", path=tmp_path))
    assert ds.shape == (1, 1, 3) and ds.images[0, 0, 0].tolist() == [0, 100, 255]
