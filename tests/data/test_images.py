"""ImageDataset, the uint8 <-> float mapping and the shared resize / channel conversions."""

from __future__ import annotations

import pytest
import torch

from gankit.data import ImageDataset, to_float, to_uint8
from gankit.data.images import apply_options, check_split, convert_channels, require_path, resize
from gankit.errors import GankitError


def _dataset(n=10, c=1, h=4, w=4, labeled=True) -> ImageDataset:
    images = torch.arange(n * c * h * w, dtype=torch.int64).remainder(256).to(torch.uint8).view(n, c, h, w)
    labels = torch.arange(n) % 3 if labeled else None
    return ImageDataset(images, labels, 3 if labeled else 0, "test")


def test_to_uint8_and_back():
    x = torch.tensor([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0])
    assert to_uint8(x).tolist() == [0, 0, 128, 191, 255, 255]
    assert to_uint8(x).dtype == torch.uint8
    u = torch.arange(256, dtype=torch.int64).to(torch.uint8)
    f = to_float(u)
    assert f.dtype == torch.float32 and f.min() == -1.0 and f.max() == 1.0
    assert torch.equal(to_uint8(f), u)
    assert to_uint8(torch.zeros(2, 3, 4, 5, requires_grad=True)).shape == (2, 3, 4, 5)


def test_dataset_basics():
    ds = _dataset()
    assert ds.kind == "image" and len(ds) == 10 and ds.shape == (1, 4, 4)
    assert ds.labels.dtype == torch.int64 and ds.num_classes == 3
    full = ds.as_float()
    assert full.shape == (10, 1, 4, 4) and full.dtype == torch.float32
    assert torch.equal(ds.as_float(2, 5), full[2:5])
    assert full.min() >= -1 and full.max() <= 1
    assert _dataset(labeled=False).num_classes == 0


def test_sample_is_reproducible_and_leaves_global_rng():
    ds = _dataset()
    before = torch.get_rng_state()
    x1, y1 = ds.sample(32, torch.Generator().manual_seed(7))
    x2, y2 = ds.sample(32, torch.Generator().manual_seed(7))
    assert torch.equal(torch.get_rng_state(), before)
    assert x1.shape == (32, 1, 4, 4) and x1.dtype == torch.float32 and y1.shape == (32,)
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    # Each sampled image is the dataset image its label points back to.
    idx = torch.randint(10, (32,), generator=torch.Generator().manual_seed(7))
    assert torch.equal(x1, ds.as_float()[idx]) and torch.equal(y1, ds.labels[idx])
    _, none = _dataset(labeled=False).sample(4, torch.Generator())
    assert none is None


def test_constructor_checks():
    with pytest.raises(ValueError):
        ImageDataset(torch.zeros(2, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError):
        ImageDataset(torch.zeros(2, 1, 4, 4), None)
    with pytest.raises(ValueError):
        ImageDataset(torch.zeros(2, 1, 4, 4, dtype=torch.uint8), torch.zeros(3))


def test_convert_channels():
    grey = torch.tensor([[[[0, 100], [200, 255]]]], dtype=torch.uint8)
    rgb = convert_channels(grey, 3)
    assert rgb.shape == (1, 3, 2, 2) and torch.equal(rgb[:, 2:], grey)
    assert torch.equal(convert_channels(rgb, 1), grey)  # grey -> RGB -> grey is lossless
    colour = torch.tensor([255, 0, 0], dtype=torch.uint8).view(1, 3, 1, 1)
    assert convert_channels(colour, 1).item() == round(0.299 * 255)
    with pytest.raises(GankitError):
        convert_channels(torch.zeros(1, 2, 1, 1, dtype=torch.uint8), 3)


def test_resize():
    flat = torch.full((3, 1, 7, 5), 90, dtype=torch.uint8)
    out = resize(flat, 12)
    assert out.shape == (3, 1, 12, 12) and out.dtype == torch.uint8
    assert (out == 90).all()
    assert resize(out, 12) is out
    # Downsampling with antialiasing averages a checkerboard to mid-grey.
    checker = (torch.arange(8).view(1, 8) + torch.arange(8).view(8, 1)) % 2 * 255
    small = resize(checker.to(torch.uint8).view(1, 1, 8, 8), 2)
    assert ((small.int() - 128).abs() <= 2).all()


def test_apply_options(make_cfg):
    ds = _dataset(n=10, c=1, h=4, w=4)
    assert apply_options(ds, make_cfg()) is ds
    out = apply_options(ds, make_cfg(limit=4, channels=3, resolution=8))
    assert out.images.shape == (4, 3, 8, 8) and out.labels.tolist() == [0, 1, 2, 0]
    assert out.num_classes == 3 and out.name == "test"
    assert len(apply_options(ds, make_cfg(limit=100))) == 10


@pytest.mark.parametrize("fields", [{"limit": 0}, {"limit": -3}, {"channels": 2},
                                    {"resolution": 0}, {"resolution": 16.5}, {"channels": True}])
def test_bad_options(make_cfg, fields):
    with pytest.raises(GankitError, match="data."):
        apply_options(_dataset(), make_cfg(**fields))


def test_require_path_and_split(make_cfg):
    with pytest.raises(GankitError, match="data.path="):
        require_path(make_cfg(name="folder"), "a folder")
    assert str(require_path(make_cfg(path="/x/y"), "a folder")) == "/x/y"
    with pytest.raises(GankitError, match="train or test"):
        check_split(make_cfg(split="valid"))
