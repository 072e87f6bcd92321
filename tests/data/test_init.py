"""The package entry points: the DATASETS table and load_dataset."""

from __future__ import annotations

import pytest

import gankit.data as data
from gankit.data import (DATASETS, data_kind_of, FASHION_MNIST_DIR, MULTI_LABEL_DATASETS, PAIRED_DATASETS, UNPAIRED_DATASETS,
                         ImageDataset, ToyDataset, load_dataset)
from gankit.errors import GankitError

NAMES = ["gaussian1d", "ring8", "grid25", "fashion_mnist", "mnist", "idx", "digits", "cifar10", "cifar100", "folder",
         "attributes", "footwear", "tops", "edges2fashion", "paired_folder", "sandal2sneaker", "shirt2tshirt",
         "edges_unpaired", "unpaired_folder", "fashion_sr", "sr_folder", "moving_fashion", "fork", "oracle", "text",
         "wordnet"]


def test_public_names():
    assert FASHION_MNIST_DIR == "/usr/share/datasets/fashion-mnist"
    assert list(DATASETS) == NAMES
    assert all(callable(loader) for loader in DATASETS.values())
    for name in ("load_dataset", "DATASETS", "ImageDataset", "ToyDataset", "to_uint8", "to_float"):
        assert hasattr(data, name)


def test_unknown_name_lists_valid_ones(make_cfg):
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="imagenet"))
    message = str(info.value)
    assert "imagenet" in message and all(name in message for name in NAMES)


@pytest.mark.parametrize("name", ["mnist", "idx", "cifar10", "cifar100", "folder", "attributes", "paired_folder",
                                  "unpaired_folder"])
def test_path_required(make_cfg, name):
    with pytest.raises(GankitError, match=f"data.name={name} needs a path; set data.path="):
        load_dataset(make_cfg(name=name))


def test_bad_options_fail_before_loading(make_cfg):
    with pytest.raises(GankitError, match="data.channels"):
        load_dataset(make_cfg(name="folder", path="/does/not/matter", channels=4))
    with pytest.raises(GankitError, match="data.split"):
        load_dataset(make_cfg(name="digits", split="val"))


def test_kinds(make_cfg, mnist_dir):
    assert isinstance(load_dataset(make_cfg(name="grid25")), ToyDataset)
    # Image options are irrelevant to toy data and ignored there.
    assert load_dataset(make_cfg(name="ring8", limit=3)).shape == (2,)
    ds = load_dataset(make_cfg(name="idx", path=mnist_dir, resolution=3, channels=3, limit=5))
    assert isinstance(ds, ImageDataset) and ds.images.shape == (5, 3, 3, 3)


def test_loaders_in_table_apply_options(make_cfg, mnist_dir):
    ds = DATASETS["mnist"](make_cfg(name="mnist", path=mnist_dir, limit=2))
    assert len(ds) == 2


def test_every_dataset_name_has_one_kind_known_before_loading():
    assert set(PAIRED_DATASETS + UNPAIRED_DATASETS + MULTI_LABEL_DATASETS) <= set(DATASETS)
    assert {name: data_kind_of(name) for name in ("ring8", "fashion_mnist", "folder", "edges2fashion",
                                                  "unpaired_folder", "attributes")} == {
        "ring8": "toy", "fashion_mnist": "image", "folder": "image", "edges2fashion": "paired",
        "unpaired_folder": "unpaired", "attributes": "multi_label"}
    assert [data_kind_of(name) for name in ("fashion_sr", "sr_folder", "moving_fashion", "fork")] == [
        "super_resolution", "super_resolution", "sequence", "sequence"]
    assert data_kind_of("no_such_data") is None
    assert all(data_kind_of(name) is not None for name in DATASETS)
