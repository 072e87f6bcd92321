"""Datasets: toy distributions with known densities, in-memory image sets and translation data.

Every loader takes a DataConfig and returns a ToyDataset, an ImageDataset (kind
"image"; multi-domain data is one with domain labels, or multi-label attributes),
a PairedDataset (kind "paired": pix2pix) or an UnpairedDataset (kind "unpaired":
CycleGAN); image loaders apply data.limit, data.channels and data.resolution the
same way.
"""

from __future__ import annotations

from typing import NamedTuple

from gankit.data.attributes import load_attributes
from gankit.data.cifar import load_cifar10, load_cifar100
from gankit.data.digits import load_digits
from gankit.data.edges import edge_maps
from gankit.data.fashion_tasks import (load_edges2fashion, load_edges_unpaired, load_footwear, load_sandal2sneaker,
                                       load_shirt2tshirt, load_tops)
from gankit.data.folder import load_folder
from gankit.data.idx import FASHION_MNIST_DIR, load_fashion_mnist, load_idx, read_idx
from gankit.data.images import ImageDataset, image_options, to_float, to_uint8
from gankit.data.sequences import SequenceDataset, load_fork, load_moving_fashion
from gankit.data.super_resolution import SuperResolutionDataset, load_fashion_sr, load_sr_folder
from gankit.data.toy import ToyDataset, load_gaussian1d, load_grid25, load_ring8
from gankit.data.translation import PairedDataset, UnpairedDataset
from gankit.data.oracle import load_oracle
from gankit.data.text import load_text, load_wordnet
from gankit.data.tokens import TokenDataset
from gankit.data.translation_folders import load_paired_folder, load_unpaired_folder
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
    "attributes": load_attributes,
    "footwear": load_footwear,
    "tops": load_tops,
    "edges2fashion": load_edges2fashion,
    "paired_folder": load_paired_folder,
    "sandal2sneaker": load_sandal2sneaker,
    "shirt2tshirt": load_shirt2tshirt,
    "edges_unpaired": load_edges_unpaired,
    "unpaired_folder": load_unpaired_folder,
    "fashion_sr": load_fashion_sr,
    "sr_folder": load_sr_folder,
    "moving_fashion": load_moving_fashion,
    "fork": load_fork,
    "oracle": load_oracle,
    "text": load_text,
    "wordnet": load_wordnet,
}

TOY_DATASETS = ("gaussian1d", "ring8", "grid25")
# What kind of dataset each name loads that is not single images (the config checks a family's data by it).
PAIRED_DATASETS = ("edges2fashion", "paired_folder")
UNPAIRED_DATASETS = ("sandal2sneaker", "shirt2tshirt", "edges_unpaired", "unpaired_folder")
MULTI_LABEL_DATASETS = ("attributes",)
SUPER_RESOLUTION_DATASETS = ("fashion_sr", "sr_folder")
SEQUENCE_DATASETS = ("moving_fashion", "fork")
TOKEN_DATASETS = ("oracle", "text", "wordnet")
TEXT_DATASETS = ("text", "wordnet")  # real sentences: the data.tokenizer / vocab_size / max_length keys apply


def data_kind_of(name: str) -> str | None:
    """What data.name gives, known before loading: toy, paired, unpaired, multi_label, tokens, super_resolution,
    sequence or image (None: an unknown name)."""
    for kind, names in (("toy", TOY_DATASETS), ("paired", PAIRED_DATASETS), ("unpaired", UNPAIRED_DATASETS),
                        ("multi_label", MULTI_LABEL_DATASETS), ("tokens", TOKEN_DATASETS),
                        ("super_resolution", SUPER_RESOLUTION_DATASETS), ("sequence", SEQUENCE_DATASETS)):
        if name in names:
            return kind
    return "image" if name in DATASETS else None


class DataSpec(NamedTuple):
    """What networks are built for, without the data itself (so a run loads without its data).

    For paired and unpaired data, shape is A's; every built-in and folder loader gives B the
    same shape (one channel count for both sides), so one shape builds both directions.
    """

    kind: str                  # image | toy | paired | unpaired | tokens
    shape: tuple[int, ...]     # one example: (C, H, W) or (dim,)
    num_classes: int = 0       # classes, or attributes when multi_label
    class_names: tuple[str, ...] = ()   # what each class is called, for `gankit sample --label`
    multi_label: bool = False  # labels are (N, A) 0/1 attributes (data.name=attributes), not class indices
    vocab: tuple[str, ...] = ()  # tokens: what each id stands for (kept with the run, so samples decode without data)
    separator: str = " "       # tokens: what joins them into text ("" for characters)


def spec_of(data) -> DataSpec:
    """The DataSpec of a loaded dataset."""
    return DataSpec(data.kind, tuple(int(s) for s in data.shape), int(data.num_classes),
                    tuple(getattr(data, "class_names", ())), bool(getattr(data, "multi_label", False)),
                    tuple(getattr(data, "vocab", ())), getattr(data, "separator", " "))


def load_dataset(cfg) -> ImageDataset | ToyDataset | PairedDataset | UnpairedDataset:
    """Load the dataset named by cfg.name, with the config's options applied."""
    loader = DATASETS.get(cfg.name)
    if loader is None:
        raise GankitError(f"Unknown dataset data.name={cfg.name!r}; valid names are {', '.join(DATASETS)}.")
    if cfg.name not in TOY_DATASETS + TOKEN_DATASETS:
        # Check the options before a possibly slow read so a typo fails at once.
        image_options(cfg)
    data = loader(cfg)
    if getattr(cfg, "per_class", None) is not None and data.kind != "image":
        raise GankitError(f"data.per_class keeps K labelled images of each class, and data.name={cfg.name} gives "
                          f"{data.kind} data; drop data.per_class (data.limit keeps the first N examples).")
    if data.kind != "toy" and len(data) == 0:  # toy distributions are sampled, never empty
        where = f" at {cfg.path}" if cfg.path else ""
        raise GankitError(f"data.name={cfg.name}{where} holds no examples in its {cfg.split} split (its files say 0); "
                          "point data.path at data with examples.")
    return data


__all__ = [
    "DATASETS", "DataSpec", "TokenDataset", "data_kind_of", "spec_of", "FASHION_MNIST_DIR", "ImageDataset", "ToyDataset", "PairedDataset",
    "UnpairedDataset", "SuperResolutionDataset", "SequenceDataset", "PAIRED_DATASETS", "SUPER_RESOLUTION_DATASETS",
    "SEQUENCE_DATASETS", "UNPAIRED_DATASETS", "MULTI_LABEL_DATASETS", "edge_maps", "load_dataset",
    "read_idx", "to_float", "to_uint8",
]
