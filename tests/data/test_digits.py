"""scikit-learn digits: split sizes, value range and labels."""

from __future__ import annotations

import torch

from gankit.data import load_dataset


def test_digits_train_and_test(make_cfg):
    train = load_dataset(make_cfg(name="digits"))
    assert train.images.shape == (1500, 1, 8, 8) and train.images.dtype == torch.uint8
    assert train.num_classes == 10 and train.labels.dtype == torch.int64
    assert int(train.images.max()) == 255 and int(train.images.min()) == 0
    assert sorted(train.labels.unique().tolist()) == list(range(10))
    test = load_dataset(make_cfg(name="digits", split="test"))
    assert test.images.shape == (297, 1, 8, 8) and test.labels.shape == (297,)


def test_digits_options(make_cfg):
    ds = load_dataset(make_cfg(name="digits", resolution=16, channels=3, limit=10))
    assert ds.images.shape == (10, 3, 16, 16) and ds.labels.shape == (10,)
