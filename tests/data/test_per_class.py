"""data.per_class: K labelled images of each class, drawn with data.seed (the few-shot setting in one flag)."""

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.errors import GankitError


def test_k_images_of_each_class_drawn_with_the_seed():
    full = load_dataset(DataConfig(name="digits"))
    few = load_dataset(DataConfig(name="digits", per_class=3))
    assert len(few) == 30 and torch.equal(torch.bincount(few.labels, minlength=10), torch.full((10,), 3))
    # every kept image is one of the data's own, with its own label
    rows = {(bytes(x.flatten().tolist()), int(y)) for x, y in zip(full.images, full.labels)}
    assert all((bytes(x.flatten().tolist()), int(y)) in rows for x, y in zip(few.images, few.labels))
    again = load_dataset(DataConfig(name="digits", per_class=3))
    other = load_dataset(DataConfig(name="digits", per_class=3, seed=1))
    assert torch.equal(few.images, again.images) and not torch.equal(few.images, other.images)


def test_a_class_with_fewer_than_k_and_unlabelled_data_are_one_sentence():
    with pytest.raises(GankitError, match="lower data.per_class to at most"):
        load_dataset(DataConfig(name="digits", per_class=10_000))
    with pytest.raises(GankitError, match="keeps K labelled images of each class"):
        load_dataset(DataConfig(name="ring8", per_class=3))
