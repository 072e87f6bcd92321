"""PairedDataset, UnpairedDataset and pix2pix's jitter: shapes, dtypes, aligned sampling, shared crops."""

from __future__ import annotations

import pytest
import torch

from gankit.data import PairedDataset, UnpairedDataset, spec_of, to_float
from gankit.data.translation import check_direction, jitter, jitter_size, paired
from gankit.errors import GankitError


def _images(n=6, c=1, h=5, w=5, offset=0) -> torch.Tensor:
    """Distinct uint8 images: image i is filled with 10 * i + offset plus a pixel ramp."""
    ramp = torch.arange(h * w, dtype=torch.int64).view(1, 1, h, w)
    base = (10 * torch.arange(n) + offset).view(n, 1, 1, 1)
    return (base + ramp).expand(n, c, h, w).remainder(256).to(torch.uint8).contiguous()


def test_paired_basics():
    a, b = _images(), _images(c=3, offset=100)
    ds = PairedDataset(a, b, torch.arange(6) % 2, 2, "toy", ("even", "odd"))
    assert ds.kind == "paired" and len(ds) == 6 and ds.shape == (1, 5, 5) and ds.shape_b == (3, 5, 5)
    assert ds.labels.dtype == torch.int64 and ds.num_classes == 2 and ds.class_names == ("even", "odd")
    assert ds.device == torch.device("cpu") and not ds.jitter
    assert spec_of(ds)[:5] == ("paired", (1, 5, 5), 2, ("even", "odd"), False)
    moved = ds.to("cpu")
    assert isinstance(moved, PairedDataset) and torch.equal(moved.a, a) and moved.class_names == ds.class_names
    assert PairedDataset(a, b).num_classes == 0 and PairedDataset(a, b).labels is None


def test_paired_sample_keeps_rows_together():
    a, b = _images(), _images(offset=100)
    ds = PairedDataset(a, b)
    x1, y1 = ds.sample(16, torch.Generator().manual_seed(3))
    x2, y2 = ds.sample(16, torch.Generator().manual_seed(3))
    assert x1.dtype == torch.float32 and x1.shape == (16, 1, 5, 5) and torch.equal(x1, x2) and torch.equal(y1, y2)
    # The same indices as ImageDataset.sample draws: torch.randint(len, (n,)) from the generator.
    idx = torch.randint(6, (16,), generator=torch.Generator().manual_seed(3))
    assert torch.equal(x1, to_float(a[idx])) and torch.equal(y1, to_float(b[idx]))
    assert x1.min() >= -1 and x1.max() <= 1


def test_unpaired_basics_and_independent_indices():
    a, b = _images(n=4), _images(n=7, offset=100)
    ds = UnpairedDataset(a, b, torch.zeros(4), torch.ones(7), name="u", class_names=("x", "y"))
    assert ds.kind == "unpaired" and len(ds) == 7 and ds.shape == (1, 5, 5) and ds.pairs_b is None
    assert ds.labels_a.dtype == torch.int64 and ds.num_classes == 2
    x, y = ds.sample(10, torch.Generator().manual_seed(5))
    gen = torch.Generator().manual_seed(5)
    idx_a, idx_b = torch.randint(4, (10,), generator=gen), torch.randint(7, (10,), generator=gen)
    assert torch.equal(x, to_float(a[idx_a])) and torch.equal(y, to_float(b[idx_b]))
    truth = UnpairedDataset(a, b[:4], pairs_b=b[:4]).to("cpu")
    assert torch.equal(truth.pairs_b, b[:4])
    assert spec_of(truth).kind == "unpaired" and spec_of(truth).num_classes == 0


def test_constructor_checks():
    with pytest.raises(ValueError):
        PairedDataset(_images(n=3), _images(n=4))
    with pytest.raises(ValueError):
        PairedDataset(_images(), _images(h=6))
    with pytest.raises(ValueError):
        PairedDataset(_images().float(), _images())
    with pytest.raises(ValueError):
        UnpairedDataset(_images(n=3), _images(n=5), pairs_b=_images(n=5))


def test_jitter_size():
    assert jitter_size(256) == 282 and jitter_size(28) == 31 and jitter_size(4) == 5


def test_jitter_same_crop_and_flip_for_a_and_b():
    a = _images(n=6, h=8, w=8)
    ds = PairedDataset(a, a.clone(), jitter=True)
    x, y = ds.sample(32, torch.Generator().manual_seed(0))
    assert torch.equal(x, y) and x.shape == (32, 1, 8, 8)
    plain = PairedDataset(a, a.clone()).sample(32, torch.Generator().manual_seed(0))[0]
    assert not torch.equal(x, plain)
    again, _ = ds.sample(32, torch.Generator().manual_seed(0))
    assert torch.equal(x, again)


def test_jitter_is_a_crop_of_the_enlarged_image_with_flips():
    gen = torch.Generator().manual_seed(1)
    x = torch.linspace(-1, 1, 2 * 3 * 6 * 6).view(2, 3, 6, 6)
    out, = jitter([x], gen)
    big = torch.nn.functional.interpolate(x, size=(7, 7), mode="bilinear", align_corners=False)
    draws = torch.Generator().manual_seed(1)
    top, left = torch.randint(2, (2,), generator=draws), torch.randint(2, (2,), generator=draws)
    flip = torch.randint(2, (2,), generator=draws).bool()
    for i in range(2):
        crop = big[i, :, top[i]:top[i] + 6, left[i]:left[i] + 6]
        assert torch.equal(out[i], crop.flip(-1) if flip[i] else crop)


def test_unpaired_jitter_stays_in_range():
    ds = UnpairedDataset(_images(n=3, h=10, w=10), _images(n=5, h=10, w=10, offset=7), jitter=True)
    a, b = ds.sample(8, torch.Generator().manual_seed(2))
    assert a.shape == b.shape == (8, 1, 10, 10) and a.min() >= -1 and b.max() <= 1


def test_direction(make_cfg):
    a, b = _images(), _images(offset=100)
    swapped = paired(make_cfg(direction="BtoA"), a, b)
    assert torch.equal(swapped.a, b) and torch.equal(swapped.b, a)
    kept = paired(make_cfg(resolution=10, jitter=True), a, b)
    assert kept.shape == (1, 10, 10) and kept.jitter
    assert not check_direction(make_cfg())
    with pytest.raises(GankitError, match="data.direction='sideways' is not valid; set it to AtoB or BtoA."):
        check_direction(make_cfg(direction="sideways"))
