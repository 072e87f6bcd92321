"""Datasets: toy distributions with known densities and in-memory image sets.

Every loader takes a DataConfig and returns a ToyDataset or an ImageDataset; image
loaders apply data.limit, data.channels and data.resolution the same way.
"""

from __future__ import annotations

from typing import NamedTuple

from gankit.data.cifar import load_cifar10, load_cifar100
from gankit.data.digits import load_digits
from gankit.data.folder import load_folder
from gankit.data.idx import FASHION_MNIST_DIR, load_fashion_mnist, load_idx, read_idx
from gankit.data.images import ImageDataset, image_options, to_float, to_uint8
from gankit.data.toy import ToyDataset, load_gaussian1d, load_grid25, load_ring8
from gankit.errors import GankitError

DATASETS = {
    "gaussian1d": load_gaussian1d,
    "ring8": load_ring8,
    "grid25": load_grid25,
    "fashion_mnist": load_fashion_mnist,
    "mnist": load_idx,
    "idx": load_idx,
    "digits": load_digits,
    "cifar10": load_cifar10,
    "cifar100": load_cifar100,
    "folder": load_folder,
}

TOY_DATASETS = ("gaussian1d", "ring8", "grid25")


class DataSpec(NamedTuple):
    """What networks are built for, without the data itself (so a run loads without its data)."""

    kind: str                  # image | toy
    shape: tuple[int, ...]     # one example: (C, H, W) or (dim,)
    num_classes: int = 0
    class_names: tuple[str, ...] = ()   # what each class is called, for `gankit sample --label`


def spec_of(data) -> DataSpec:
    """The DataSpec of a loaded dataset."""
    return DataSpec(data.kind, tuple(int(s) for s in data.shape), int(data.num_classes),
                    tuple(getattr(data, "class_names", ())))


def load_dataset(cfg) -> ImageDataset | ToyDataset:
    """Load the dataset named by cfg.name, with the config's options applied."""
    loader = DATASETS.get(cfg.name)
    if loader is None:
        raise GankitError(f"Unknown dataset data.name={cfg.name!r}; valid names are {', '.join(DATASETS)}.")
    if cfg.name not in TOY_DATASETS:
        # Check the options before a possibly slow read so a typo fails at once.
        image_options(cfg)
    return loader(cfg)


__all__ = [
    "DATASETS", "DataSpec", "spec_of", "FASHION_MNIST_DIR", "ImageDataset", "ToyDataset", "load_dataset",
    "read_idx", "to_float", "to_uint8",
]
