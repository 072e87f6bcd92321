"""Translation and multi-domain tasks made from Fashion-MNIST, so every family has data without a download.

Classes: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
7 sneaker, 8 bag, 9 ankle boot. data.limit keeps the first N examples (of each
domain, for the unpaired tasks) in file order; A and B share one channel count.
"""

from __future__ import annotations

import torch

from gankit.data.edges import edge_maps
from gankit.data.idx import FASHION_MNIST_CLASSES, read_fashion_mnist
from gankit.data.images import ImageDataset, apply_options, cut, image_options
from gankit.data.translation import PairedDataset, UnpairedDataset, pair_options, paired

SANDAL, SHIRT, SNEAKER, T_SHIRT = 5, 6, 7, 0
# Multi-domain tasks: the Fashion-MNIST classes of each domain, in domain-index order.
FOOTWEAR = (5, 7, 9)
TOPS = (0, 2, 6, 4)


def _limit(cfg) -> int | None:
    """The validated data.limit, or None."""
    return image_options(cfg)[2]


def load_edges2fashion(cfg) -> PairedDataset:
    """Pairs (edge map, garment) of the split, pix2pix's edges2shoes in miniature; labels = the garment class."""
    source = read_fashion_mnist(cfg)
    garments, labels = cut(_limit(cfg), source.images, source.labels)
    return paired(cfg, edge_maps(garments), garments, labels, FASHION_MNIST_CLASSES)


def _unpaired(cfg, a: torch.Tensor, b: torch.Tensor, labels_a: torch.Tensor, labels_b: torch.Tensor,
              truth: bool = False) -> UnpairedDataset:
    """An UnpairedDataset after data.channels and data.resolution; truth: b is aligned with a, so it is pairs_b."""
    a, b = pair_options(cfg, a, b)
    return UnpairedDataset(a, b, labels_a, labels_b, b if truth else None, cfg.name, FASHION_MNIST_CLASSES,
                           cfg.jitter)


def _two_classes(cfg, class_a: int, class_b: int) -> UnpairedDataset:
    """Domain A = the split's images of class_a, B = those of class_b."""
    source = read_fashion_mnist(cfg)
    limit = _limit(cfg)
    a, labels_a = cut(limit, *_of_classes(source, (class_a,)))
    b, labels_b = cut(limit, *_of_classes(source, (class_b,)))
    return _unpaired(cfg, a, b, labels_a, labels_b)


def _of_classes(source: ImageDataset, classes: tuple[int, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    """The images and labels of the given classes, in file order."""
    keep = torch.isin(source.labels, torch.tensor(classes))
    return source.images[keep], source.labels[keep]


def load_sandal2sneaker(cfg) -> UnpairedDataset:
    """Unpaired sandals (A, class 5) and sneakers (B, class 7)."""
    return _two_classes(cfg, SANDAL, SNEAKER)


def load_shirt2tshirt(cfg) -> UnpairedDataset:
    """Unpaired shirts (A, class 6) and T-shirts/tops (B, class 0)."""
    return _two_classes(cfg, SHIRT, T_SHIRT)


def load_edges_unpaired(cfg) -> UnpairedDataset:
    """Edge maps (A) and garments (B) without pairs. Train: edges of the first half of the training images,
    garments of the second half. Test: both from the same test images, with pairs_b = the true garments."""
    source = read_fashion_mnist(cfg)
    limit = _limit(cfg)
    if cfg.split == "test":
        garments, labels = cut(limit, source.images, source.labels)
        return _unpaired(cfg, edge_maps(garments), garments, labels, labels, truth=True)
    half = len(source) // 2
    drawn, labels_a = cut(limit, source.images[:half], source.labels[:half])
    garments, labels_b = cut(limit, source.images[half:], source.labels[half:])
    return _unpaired(cfg, edge_maps(drawn), garments, labels_a, labels_b)


def _domains(cfg, classes: tuple[int, ...]) -> ImageDataset:
    """The split's images of the given classes, labelled by domain index 0..K-1 in the order of `classes`."""
    source = read_fashion_mnist(cfg)
    images, labels = _of_classes(source, classes)
    domain = torch.full((len(FASHION_MNIST_CLASSES),), -1, dtype=torch.int64)
    domain[list(classes)] = torch.arange(len(classes))
    names = tuple(FASHION_MNIST_CLASSES[c] for c in classes)
    return apply_options(ImageDataset(images, domain[labels], len(classes), cfg.name, names), cfg)


def load_footwear(cfg) -> ImageDataset:
    """Three domains for StarGAN: sandal (0), sneaker (1), ankle boot (2)."""
    return _domains(cfg, FOOTWEAR)


def load_tops(cfg) -> ImageDataset:
    """Four domains for StarGAN: T-shirt/top (0), pullover (1), shirt (2), coat (3)."""
    return _domains(cfg, TOPS)
