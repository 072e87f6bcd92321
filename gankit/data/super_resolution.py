"""Super-resolution data: high-resolution images and their low-resolution inputs (kind "super_resolution").

fashion_sr: Fashion-MNIST's 28 x 28 garments (data.split; the test split is never trained on), each with
    its input made by PIL's bicubic downsampling by data.scale (2: 14 x 14, 4: 7 x 7), PIL's resize filtering
    over the whole footprint as MATLAB's imresize does (the degradation of SRGAN, ESRGAN and BasicSR).
sr_folder (data.path): either high-resolution images in train/ and test/ (or directly in the folder, which
    then has no test split), their inputs made the same way; or hr/ and lr/ (each with train/ and test/, or
    the files directly), partners sharing a file name, every hr image data.scale times its lr partner's size.

data.resolution resizes the high-resolution images (centre square, bicubic; lr/ images to resolution /
scale); data.channels converts both sides; data.limit keeps the first N pairs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gankit.data.folder import list_dir, is_image, read_image_groups
from gankit.data.idx import FASHION_MNIST_CLASSES, read_fashion_mnist
from gankit.data.images import check_split, convert_images, cut, image_options, require_path, to_float
from gankit.data.translation import _check_images, _check_labels, _moved, _names, _TwoSides
from gankit.data.translation_folders import image_files, match_pairs, split_folders
from gankit.errors import GankitError

SR_LAYOUT = "folder holding train/ and test/ of high-resolution images, or hr/ and lr/ with matching file names"


def bicubic_resize(images: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """uint8 (N, C, H, W) images resized to size (h, w) by PIL's bicubic filter, image by image and channel by
    channel (PIL widens the filter by the factor when it shrinks, so downsampling is antialiased)."""
    if images.dtype != torch.uint8 or images.dim() != 4:
        raise ValueError(f"images must be uint8 (N, C, H, W), got {images.dtype} {tuple(images.shape)}")
    h, w = size
    out = np.empty((images.shape[0], images.shape[1], h, w), dtype=np.uint8)
    for i, image in enumerate(images.numpy()):
        for c, plane in enumerate(image):
            out[i, c] = np.asarray(Image.fromarray(plane, "L").resize((w, h), Image.Resampling.BICUBIC))
    return torch.from_numpy(out)


def downscale(images: torch.Tensor, scale: int, what: str = "the high-resolution images") -> torch.Tensor:
    """uint8 (N, C, H, W) images shrunk by `scale` with PIL's bicubic; H and W must be multiples of it."""
    h, w = images.shape[-2:]
    if h % scale or w % scale:
        raise GankitError(f"{what} are {w}x{h}, not a multiple of data.scale={scale}; set data.resolution to a "
                          f"multiple of {scale} (or another data.scale).")
    return bicubic_resize(images, (h // scale, w // scale))


def upscale(images: torch.Tensor, scale: int) -> torch.Tensor:
    """uint8 (N, C, h, w) images enlarged by `scale` with PIL's bicubic (the baseline every SR paper reports)."""
    return bicubic_resize(images, (images.shape[-2] * scale, images.shape[-1] * scale))


class SuperResolutionDataset(_TwoSides):
    """Low-resolution inputs `a` (N, C, h, w) and their high-resolution truths `b` (N, C, h*scale, w*scale),
    uint8; labels (N,) int64 (each garment's class) or None. `shape` is the input's, as for paired data."""

    kind = "super_resolution"

    def __init__(self, a: torch.Tensor, b: torch.Tensor, scale: int, labels: torch.Tensor | None = None,
                 num_classes: int = 0, name: str = "sr", class_names: tuple[str, ...] | None = None):
        _check_images("a", a)
        _check_images("b", b)
        if (a.shape[0] != b.shape[0] or a.shape[1] != b.shape[1]
                or (a.shape[2] * scale, a.shape[3] * scale) != tuple(b.shape[2:])):
            raise ValueError(f"b must be a scaled by {scale}, got {tuple(a.shape)} and {tuple(b.shape)}")
        self.a, self.b, self.scale = a, b, int(scale)
        self.labels = _check_labels("labels", labels, a.shape[0])
        self.num_classes = int(num_classes) if self.labels is not None else 0
        self.class_names = _names(class_names, self.num_classes)
        self.name = name

    def __len__(self) -> int:
        """The number of pairs."""
        return self.a.shape[0]

    def __repr__(self) -> str:
        return f"SuperResolutionDataset({self.name!r}, n={len(self)}, x{self.scale}, {self.shape} -> {self.shape_b})"

    def to(self, device) -> "SuperResolutionDataset":
        """The same pairs held on `device`."""
        return SuperResolutionDataset(self.a.to(device), self.b.to(device), self.scale, _moved(self.labels, device),
                                      self.num_classes, self.name, self.class_names)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch (low, high), float32 in [-1, 1], row i of each from the same pair; the indices are
        torch.randint(len, (B,)) from `generator` (with replacement), which must live where the data do."""
        idx = torch.randint(len(self), (batch_size,), generator=generator, device=self.a.device)
        return to_float(self.a[idx]), to_float(self.b[idx])


def _scale(cfg) -> int:
    scale = cfg.scale
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 2:
        raise GankitError(f"data.scale={scale!r} is not a super-resolution factor; set it to an integer of 2 or "
                          f"more (2 and 4 are the papers').")
    return scale


def load_fashion_sr(cfg) -> SuperResolutionDataset:
    """Fashion-MNIST garments of data.split (28 x 28, or data.resolution) and their bicubic 1/data.scale inputs."""
    scale = _scale(cfg)
    resolution, channels, limit = image_options(cfg)
    source = read_fashion_mnist(cfg)
    images, labels = cut(limit, source.images, source.labels)
    high = convert_images(images, channels, resolution)
    return SuperResolutionDataset(downscale(high, scale), high, scale, labels, len(FASHION_MNIST_CLASSES),
                                  cfg.name, FASHION_MNIST_CLASSES)


def _check_partners(files_hr: list[Path], high: torch.Tensor, low: torch.Tensor, scale: int) -> None:
    if tuple(high.shape[2:]) != (low.shape[2] * scale, low.shape[3] * scale):
        raise GankitError(f"{files_hr[0]} is {high.shape[3]}x{high.shape[2]} but its lr partner is "
                          f"{low.shape[3]}x{low.shape[2]}, not 1/{scale} of it (data.scale={scale}); give lr images "
                          f"of 1/{scale} the size, or set data.scale to their ratio.")


def load_sr_folder(cfg) -> SuperResolutionDataset:
    """A user's high-resolution images (inputs made by bicubic downsampling), or hr/ and lr/ pairs."""
    root = require_path(cfg, SR_LAYOUT)
    split, scale = check_split(cfg), _scale(cfg)
    resolution, channels, limit = image_options(cfg)
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise GankitError(f"{root} {what}; set data.path to a {SR_LAYOUT}.")
    if (root / "hr").is_dir() and (root / "lr").is_dir():
        hr_dir, lr_dir = split_folders(root, split, ("hr", "lr"))
        files_lr, files_hr = match_pairs(lr_dir, hr_dir)
        files_lr, files_hr = files_lr[:limit], files_hr[:limit]
        if resolution is not None and resolution % scale:
            raise GankitError(f"data.resolution={resolution} is not a multiple of data.scale={scale}; the lr images "
                              f"are resized to resolution / scale, so choose a multiple.")
        high, = read_image_groups([files_hr], resolution, channels)
        channels = channels or high.shape[1]
        low, = read_image_groups([files_lr], resolution // scale if resolution else None, channels)
        _check_partners(files_hr, high, low, scale)
        return SuperResolutionDataset(low, high, scale, name=cfg.name)
    folder = root / split if (root / split).is_dir() else root
    if folder == root and split == "test":
        raise GankitError(f"{root} holds no test/ folder, so there is no test split; put test images in "
                          f"{root / 'test'} (and training ones in {root / 'train'}), or set data.split=train.")
    if folder == root and not any(is_image(p) for p in list_dir(root)):
        raise GankitError(f"{root} has neither train/ and test/ folders of images nor hr/ and lr/ folders; lay the "
                          f"images out as a {SR_LAYOUT}.")
    files = image_files(folder, f"{split} high-resolution images")[:limit]
    high, = read_image_groups([files], resolution, channels)
    return SuperResolutionDataset(downscale(high, scale, f"the images in {folder}"), high, scale, name=cfg.name)
