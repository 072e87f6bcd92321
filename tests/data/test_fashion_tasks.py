"""The built-in translation and multi-domain tasks made from Fashion-MNIST."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from gankit.data import (FASHION_MNIST_DIR, ImageDataset, PairedDataset, UnpairedDataset, edge_maps, load_dataset,
                         spec_of)
from gankit.data.idx import FASHION_MNIST_CLASSES, read_fashion_mnist

pytestmark = pytest.mark.skipif(not Path(FASHION_MNIST_DIR).is_dir(), reason="Fashion-MNIST is not installed")


@pytest.fixture(scope="module")
def fashion():
    """The raw Fashion-MNIST splits, to compare the tasks against."""
    return {split: read_fashion_mnist(SimpleNamespace(name="fashion_mnist", path=None, split=split))
            for split in ("train", "test")}


def test_edges2fashion_pairs_edges_with_their_garment(make_cfg, fashion):
    ds = load_dataset(make_cfg(name="edges2fashion", split="test", limit=300))
    assert isinstance(ds, PairedDataset) and len(ds) == 300 and ds.shape == ds.shape_b == (1, 28, 28)
    assert ds.a.dtype == ds.b.dtype == torch.uint8 and ds.labels.dtype == torch.int64
    assert ds.num_classes == 10 and ds.class_names == FASHION_MNIST_CLASSES
    assert torch.equal(ds.b, fashion["test"].images[:300]) and torch.equal(ds.labels, fashion["test"].labels[:300])
    # A is the edge map of its own B (so it traces that garment's outline), black edges on white.
    assert torch.equal(ds.a, edge_maps(ds.b))
    assert set(ds.a.unique().tolist()) == {0, 255} and (ds.a == 0).flatten(1).any(1).float().mean() > 0.95
    assert spec_of(ds)[:5] == ("paired", (1, 28, 28), 10, FASHION_MNIST_CLASSES, False)


def test_edges2fashion_direction_options_and_jitter(make_cfg):
    plain = load_dataset(make_cfg(name="edges2fashion", split="test", limit=20))
    swapped = load_dataset(make_cfg(name="edges2fashion", split="test", limit=20, direction="BtoA"))
    assert torch.equal(swapped.a, plain.b) and torch.equal(swapped.b, plain.a)
    big = load_dataset(make_cfg(name="edges2fashion", split="test", limit=20, resolution=32, channels=3, jitter=True))
    assert big.shape == big.shape_b == (3, 32, 32) and big.jitter
    a, b = big.sample(4, torch.Generator().manual_seed(0))
    assert a.shape == b.shape == (4, 3, 32, 32)


@pytest.mark.parametrize("name, class_a, class_b", [("sandal2sneaker", 5, 7), ("shirt2tshirt", 6, 0)])
def test_two_class_tasks(make_cfg, fashion, name, class_a, class_b):
    ds = load_dataset(make_cfg(name=name, split="test", limit=40))
    assert isinstance(ds, UnpairedDataset) and ds.a.shape == ds.b.shape == (40, 1, 28, 28) and ds.pairs_b is None
    assert (ds.labels_a == class_a).all() and (ds.labels_b == class_b).all()
    source = fashion["test"]
    assert torch.equal(ds.a, source.images[source.labels == class_a][:40])
    assert torch.equal(ds.b, source.images[source.labels == class_b][:40])
    assert ds.class_names == FASHION_MNIST_CLASSES and spec_of(ds).kind == "unpaired"
    full = load_dataset(make_cfg(name=name, split="test"))
    assert len(full.a) == len(full.b) == 1000


def test_edges_unpaired_train_halves_are_disjoint(make_cfg, fashion):
    ds = load_dataset(make_cfg(name="edges_unpaired", limit=25))
    images = fashion["train"].images
    half = len(images) // 2
    # Edges come from the first half's images, garments from the second half's: no pair is in the data.
    assert torch.equal(ds.a, edge_maps(images[:25])) and torch.equal(ds.b, images[half:half + 25])
    assert torch.equal(ds.labels_b, fashion["train"].labels[half:half + 25]) and ds.pairs_b is None


def test_edges_unpaired_test_has_ground_truth(make_cfg, fashion):
    ds = load_dataset(make_cfg(name="edges_unpaired", split="test", limit=30))
    assert ds.pairs_b is not None and torch.equal(ds.pairs_b, fashion["test"].images[:30])
    assert torch.equal(ds.a, edge_maps(ds.pairs_b)) and torch.equal(ds.labels_a, ds.labels_b)


@pytest.mark.parametrize("name, classes, names", [
    ("footwear", (5, 7, 9), ("sandal", "sneaker", "ankle boot")),
    ("tops", (0, 2, 6, 4), ("T-shirt/top", "pullover", "shirt", "coat")),
])
def test_domain_tasks(make_cfg, fashion, name, classes, names):
    ds = load_dataset(make_cfg(name=name, split="test"))
    assert isinstance(ds, ImageDataset) and ds.num_classes == len(classes) and ds.class_names == names
    assert len(ds) == 1000 * len(classes) and not ds.multi_label
    source = fashion["test"]
    for domain, cls in enumerate(classes):
        assert torch.equal(ds.images[ds.labels == domain], source.images[source.labels == cls])
    assert len(load_dataset(make_cfg(name=name, split="test", limit=7))) == 7
