"""Image-to-image translation data: aligned pairs (pix2pix) and two unpaired domains (CycleGAN).

Both hold uint8 (N, C, H, W) tensors, like ImageDataset, and `sample(n, gen)`
returns float32 batches (a, b) in [-1, 1] on the data's device. A is the input
and B the target, after data.direction. With data.jitter, each batch gets
pix2pix's augmentation on the device: resize to about 1.1x, a random crop back
to the original size and a random horizontal flip, the same for the A and B of
a pair, drawn from the batch's generator.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from gankit.data.images import convert_images, image_options, to_float
from gankit.errors import GankitError

# pix2pix enlarges 256 px images to 286 before its random 256 px crop; 1.1x keeps that ratio roughly.
JITTER_SCALE = 1.1


def jitter_size(side: int) -> int:
    """The side a batch is enlarged to before the random crop: 1.1 x side to the nearest pixel, at least side + 1."""
    return max(side + 1, math.floor(side * JITTER_SCALE + 0.5))


def jitter(batches: list[torch.Tensor], generator: torch.Generator) -> list[torch.Tensor]:
    """pix2pix's random resize, crop and flip of float (n, C, H, W) batches, with ONE draw per example shared by
    every tensor in `batches` (the A and B of a pair; they must share n, H and W, not C).

    Draws, in order: the crop's top rows (n,), its left columns (n,), the flips (n,), all from `generator`
    on the batches' device.
    """
    n, _, h, w = batches[0].shape
    big_h, big_w = jitter_size(h), jitter_size(w)
    device = batches[0].device
    top = torch.randint(big_h - h + 1, (n,), generator=generator, device=device)
    left = torch.randint(big_w - w + 1, (n,), generator=generator, device=device)
    flip = torch.randint(2, (n,), generator=generator, device=device).bool()
    step = torch.arange(w, device=device)
    rows = top[:, None] + torch.arange(h, device=device)                      # (n, H)
    cols = left[:, None] + torch.where(flip[:, None], step.flip(0), step)     # (n, W): a flip reads right to left
    examples = torch.arange(n, device=device)[:, None, None, None]
    out = []
    for x in batches:
        # Bilinear: no overshoot past [-1, 1] (pix2pix's bicubic can).
        big = F.interpolate(x, size=(big_h, big_w), mode="bilinear", align_corners=False)
        channels = torch.arange(x.shape[1], device=device)[None, :, None, None]
        out.append(big[examples, channels, rows[:, None, :, None], cols[:, None, None, :]])  # (n, C, H, W)
    return out


def _check_images(name: str, images: torch.Tensor) -> None:
    """Refuse (ValueError: a programming error) anything but uint8 (N, C, H, W)."""
    if images.dtype != torch.uint8 or images.dim() != 4:
        raise ValueError(f"{name} must be uint8 (N, C, H, W), got {images.dtype} {tuple(images.shape)}")


def _check_labels(name: str, labels: torch.Tensor | None, n: int) -> torch.Tensor | None:
    """Labels as int64 (n,), or None."""
    if labels is None:
        return None
    labels = labels.to(torch.int64)
    if labels.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {tuple(labels.shape)}")
    return labels


def _names(class_names, num_classes: int) -> tuple[str, ...]:
    """The class names when there is one per class, else the indices as text."""
    names = tuple(class_names or ())
    return names if len(names) == num_classes else tuple(str(i) for i in range(num_classes))


def _moved(t: torch.Tensor | None, device) -> torch.Tensor | None:
    """t on device, or None."""
    return t.to(device) if t is not None else None


class _TwoSides:
    """What paired and unpaired data share: A and B images as uint8 (N, C, H, W) in `a` and `b`."""

    a: torch.Tensor
    b: torch.Tensor

    @property
    def shape(self) -> tuple[int, int, int]:
        """The shape (C, H, W) of one A image (what the networks are built for)."""
        return tuple(self.a.shape[1:])

    @property
    def shape_b(self) -> tuple[int, int, int]:
        """The shape (C, H, W) of one B image."""
        return tuple(self.b.shape[1:])

    @property
    def device(self) -> torch.device:
        """Where the images are held."""
        return self.a.device


class PairedDataset(_TwoSides):
    """Aligned pairs for pix2pix: a[i] (input) and b[i] (target) are one example, uint8 (N, C, H, W).

    a and b share N, H and W (their channel counts may differ; every built-in and folder
    loader gives both the same). labels (N,) int64, e.g. each pair's garment class, or None.
    """

    kind = "paired"

    def __init__(self, a: torch.Tensor, b: torch.Tensor, labels: torch.Tensor | None = None, num_classes: int = 0,
                 name: str = "pairs", class_names: tuple[str, ...] | None = None, jitter: bool = False):
        _check_images("a", a)
        _check_images("b", b)
        if a.shape[0] != b.shape[0] or a.shape[2:] != b.shape[2:]:
            raise ValueError(f"a and b must share N, H and W, got {tuple(a.shape)} and {tuple(b.shape)}")
        self.a, self.b = a, b
        self.labels = _check_labels("labels", labels, a.shape[0])
        self.num_classes = int(num_classes) if self.labels is not None else 0
        self.class_names = _names(class_names, self.num_classes)
        self.name = name
        self.jitter = bool(jitter)

    def __len__(self) -> int:
        """The number of pairs."""
        return self.a.shape[0]

    def __repr__(self) -> str:
        return f"PairedDataset({self.name!r}, n={len(self)}, shape={self.shape}, shape_b={self.shape_b})"

    def to(self, device) -> "PairedDataset":
        """The same pairs held on `device`."""
        return PairedDataset(self.a.to(device), self.b.to(device), _moved(self.labels, device), self.num_classes,
                             self.name, self.class_names, self.jitter)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch of pairs (a, b), float32 (B, C, H, W) in [-1, 1], row i of each from the same pair.

        The indices are torch.randint(len, (B,)) from `generator` (with replacement), as ImageDataset.sample
        draws them; then, with jitter, the crops and flips. The generator must live where the data does.
        """
        idx = torch.randint(len(self), (batch_size,), generator=generator, device=self.a.device)
        a, b = to_float(self.a[idx]), to_float(self.b[idx])
        if self.jitter:
            a, b = jitter([a, b], generator)
        return a, b


class UnpairedDataset(_TwoSides):
    """Two domains for CycleGAN: a (N_a, C, H, W) and b (N_b, C, H, W) uint8, no row matching another.

    labels_a / labels_b (int64 or None) say what each image is (e.g. its Fashion-MNIST class,
    named by class_names). pairs_b, when known (the built-in edges_unpaired test split), is the
    true B of each A, uint8 like a, for L1 / PSNR / SSIM.
    """

    kind = "unpaired"

    def __init__(self, a: torch.Tensor, b: torch.Tensor, labels_a: torch.Tensor | None = None,
                 labels_b: torch.Tensor | None = None, pairs_b: torch.Tensor | None = None, name: str = "unpaired",
                 class_names: tuple[str, ...] | None = None, jitter: bool = False):
        _check_images("a", a)
        _check_images("b", b)
        if a.shape[2:] != b.shape[2:]:
            raise ValueError(f"a and b must share H and W, got {tuple(a.shape)} and {tuple(b.shape)}")
        if pairs_b is not None:
            _check_images("pairs_b", pairs_b)
            if pairs_b.shape[0] != a.shape[0] or pairs_b.shape[1:] != b.shape[1:]:
                raise ValueError(f"pairs_b must be one B image per A image, got {tuple(pairs_b.shape)}")
        self.a, self.b, self.pairs_b = a, b, pairs_b
        self.labels_a = _check_labels("labels_a", labels_a, a.shape[0])
        self.labels_b = _check_labels("labels_b", labels_b, b.shape[0])
        labelled = self.labels_a is not None or self.labels_b is not None
        self.num_classes = len(class_names or ()) if labelled else 0
        self.class_names = _names(class_names, self.num_classes)
        self.name = name
        self.jitter = bool(jitter)

    def __len__(self) -> int:
        """The larger domain's size (an epoch in CycleGAN's sense)."""
        return max(self.a.shape[0], self.b.shape[0])

    def __repr__(self) -> str:
        return (f"UnpairedDataset({self.name!r}, n_a={self.a.shape[0]}, n_b={self.b.shape[0]}, shape={self.shape}, "
                f"pairs_b={self.pairs_b is not None})")

    def to(self, device) -> "UnpairedDataset":
        """The same domains held on `device`."""
        return UnpairedDataset(self.a.to(device), self.b.to(device), _moved(self.labels_a, device),
                               _moved(self.labels_b, device), _moved(self.pairs_b, device), self.name,
                               self.class_names, self.jitter)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Random batches (a, b), float32 (B, C, H, W) in [-1, 1], with independent indices.

        Draws, in order: A's indices, B's indices (torch.randint with replacement, as ImageDataset.sample),
        then with jitter A's crops and flips, then B's. The generator must live where the data does.
        """
        idx_a = torch.randint(self.a.shape[0], (batch_size,), generator=generator, device=self.a.device)
        idx_b = torch.randint(self.b.shape[0], (batch_size,), generator=generator, device=self.a.device)
        a, b = to_float(self.a[idx_a]), to_float(self.b[idx_b])
        if self.jitter:
            a, = jitter([a], generator)
            b, = jitter([b], generator)
        return a, b


def pair_options(cfg, *images: torch.Tensor | None) -> list[torch.Tensor | None]:
    """data.channels and data.resolution applied to each of A, B (and pairs_b); None passes through.

    data.limit is the loaders' to apply (it cuts before any work), see gankit.data.images.cut.
    """
    resolution, channels, _ = image_options(cfg)
    return [convert_images(x, channels, resolution) if x is not None else None for x in images]


def check_direction(cfg) -> bool:
    """Whether data.direction swaps A and B: False for AtoB, True for BtoA."""
    if cfg.direction not in ("AtoB", "BtoA"):
        raise GankitError(f"data.direction={cfg.direction!r} is not valid; set it to AtoB or BtoA.")
    return cfg.direction == "BtoA"


def paired(cfg, a: torch.Tensor, b: torch.Tensor, labels: torch.Tensor | None = None,
           class_names: tuple[str, ...] = ()) -> PairedDataset:
    """A PairedDataset of already limited pairs, after data.direction, data.channels and data.resolution."""
    if check_direction(cfg):
        a, b = b, a
    a, b = pair_options(cfg, a, b)
    return PairedDataset(a, b, labels, len(class_names), cfg.name, class_names, cfg.jitter)
