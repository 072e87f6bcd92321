"""Tile a batch of NCHW images in [-1, 1] into one uint8 picture."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gankit.data.images import to_uint8
from gankit.atomic import PathLike, atomic_write


def _check_images(images) -> torch.Tensor:
    tensor = torch.as_tensor(images).detach().cpu()
    if tensor.dim() == 3:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() != 4:
        raise ValueError(
            f"make_grid expects images shaped (B, C, H, W); got {tuple(tensor.shape)}"
        )
    if tensor.shape[0] == 0:
        raise ValueError("make_grid got an empty batch (B = 0)")
    if tensor.shape[1] not in (1, 3):
        raise ValueError(
            f"make_grid expects 1 or 3 channels; got C = {tensor.shape[1]}"
        )
    return tensor.float()


def make_grid(images, nrow=None, padding=2, pad_value=1.0) -> np.ndarray:
    """Tile (B, C, H, W) images in [-1, 1] into a uint8 (H', W'[, 3]) array."""
    batch = _check_images(images)
    count, channels, height, width = batch.shape
    if padding < 0:
        raise ValueError(f"padding must be >= 0; got {padding}")
    if nrow is None:
        nrow = math.ceil(math.sqrt(count))
    if nrow < 1:
        raise ValueError(f"nrow must be >= 1; got {nrow}")
    ncol = min(int(nrow), count)
    nrows = math.ceil(count / ncol)
    cell_h, cell_w = height + padding, width + padding
    # pad_value is on the same [-1, 1] scale as the images, so 1.0 is white.
    canvas = torch.full(
        (channels, nrows * cell_h + padding, ncol * cell_w + padding),
        float(pad_value),
    )
    for index in range(count):
        row, col = divmod(index, ncol)
        top, left = row * cell_h + padding, col * cell_w + padding
        canvas[:, top : top + height, left : left + width] = batch[index]
    pixels = to_uint8(canvas)
    if channels == 1:
        return pixels[0].numpy()
    return pixels.permute(1, 2, 0).contiguous().numpy()


def upscale(pixels: np.ndarray, scale: int) -> np.ndarray:
    """Enlarge an (H, W[, C]) array by an integer factor with nearest neighbour."""
    if int(scale) != scale or scale < 1:
        raise ValueError(f"scale must be a positive integer; got {scale}")
    scale = int(scale)
    if scale == 1:
        return pixels
    return np.repeat(np.repeat(pixels, scale, axis=0), scale, axis=1)


def save_grid(images, path: PathLike, nrow=None, scale=1) -> Path:
    """Write ``make_grid(images, nrow)`` as a PNG, upscaled ``scale`` times, atomically."""
    pixels = upscale(make_grid(images, nrow=nrow), scale)
    picture = Image.fromarray(pixels)
    return atomic_write(path, lambda handle: picture.save(handle, format="PNG"))
