"""Animated GIFs from a sequence of sample grids (training progress)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence, Union

import numpy as np
from PIL import Image

from gankit.atomic import PathLike, atomic_write

Frame = Union[str, "os.PathLike[str]", np.ndarray]

# The final frame lingers so a looping GIF shows where training ended.
LAST_FRAME_HOLD = 3


def _load_frame(frame: Frame, index: int) -> Image.Image:
    if isinstance(frame, np.ndarray):
        if frame.dtype != np.uint8:
            raise ValueError(
                f"save_gif frame {index}: arrays must be uint8; got {frame.dtype}"
            )
        pixels = frame[..., 0] if frame.ndim == 3 and frame.shape[2] == 1 else frame
        if pixels.ndim not in (2, 3) or (pixels.ndim == 3 and pixels.shape[2] != 3):
            raise ValueError(
                f"save_gif frame {index}: expected (H, W) or (H, W, 3); "
                f"got {frame.shape}"
            )
        return Image.fromarray(np.ascontiguousarray(pixels))
    if isinstance(frame, (str, os.PathLike)):
        with Image.open(frame) as opened:
            picture = opened.copy()
        return picture if picture.mode in ("L", "RGB") else picture.convert("RGB")
    raise TypeError(
        f"save_gif frame {index}: expected a path or uint8 numpy array; "
        f"got {type(frame).__name__}"
    )


def _check_sizes(pictures: Sequence[Image.Image]) -> None:
    first = pictures[0].size
    for index, picture in enumerate(pictures):
        if picture.size != first:
            raise ValueError(
                f"save_gif frames must all be the same size: frame 0 is "
                f"{first[0]}x{first[1]} but frame {index} is "
                f"{picture.size[0]}x{picture.size[1]} (width x height)"
            )


def save_gif(frames: Sequence[Frame], path: PathLike, duration_ms=200, loop=0) -> Path:
    """Write PNG paths or uint8 arrays as an animated GIF, holding the last frame 3x."""
    if len(frames) == 0:
        raise ValueError("save_gif needs at least one frame")
    if duration_ms <= 0:
        raise ValueError(f"duration_ms must be > 0; got {duration_ms}")
    pictures = [_load_frame(frame, index) for index, frame in enumerate(frames)]
    _check_sizes(pictures)
    # Mixing grey and colour frames would give PIL inconsistent palettes.
    if any(picture.mode != "L" for picture in pictures):
        pictures = [picture.convert("RGB") for picture in pictures]
    durations = [int(duration_ms)] * len(pictures)
    durations[-1] *= LAST_FRAME_HOLD

    def write(handle) -> None:
        # PIL merges consecutive identical frames (summing their durations),
        # so the stored frame count can be lower than len(frames).
        pictures[0].save(
            handle,
            format="GIF",
            save_all=True,
            append_images=pictures[1:],
            duration=durations,
            loop=loop,
        )

    return atomic_write(path, write)
