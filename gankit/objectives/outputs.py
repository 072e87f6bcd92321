"""How the image and toy families draw their progress pictures and write `gankit sample` output.

A family declares these in its `Family` (`draw`, `writers`); a family whose samples are not images
(text) declares its own.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from gankit.data import to_uint8
from gankit.errors import GankitError
from gankit.objectives import latent_tools
from gankit.viz import plot_toy_1d, plot_toy_2d, save_grid
from gankit.viz.gif import save_gif
from gankit.viz.grid import make_grid, upscale


def grid_scale(n: int, size: int, per_row: int | None = None, target_px: int = 480) -> int:
    """Integer upscaling that brings a grid of n images of `size` pixels (per_row a row, default square) near target_px wide."""
    per_row = per_row or math.ceil(math.sqrt(n))
    return max(1, round(target_px / (per_row * (size + 2))))


def draw_picture(stem: Path, preview: dict, data) -> Path:
    """Draw what a family's `preview` returned as stem.png: a grid for images, a density or scatter plot for toy data."""
    path = Path(stem).with_suffix(".png")
    if preview["kind"] == "grid":
        images, nrow = preview["images"], preview.get("nrow")  # nrow: images per row (e.g. one class a row)
        return save_grid(images, path, nrow=nrow, scale=grid_scale(len(images), images.shape[-1], nrow))
    real, fake = preview["real"], preview["fake"]
    if data.shape == (1,):
        return plot_toy_1d(real, fake, path, density=data.density, d_fn=preview.get("d_fn"),
                           g_map=preview.get("g_map"), title=path.stem)
    return plot_toy_2d(real, fake, path, modes=data.modes, title=path.stem, fake_labels=preview.get("fake_labels"))


@torch.no_grad()
def toy_preview(fake: torch.Tensor, data, labels: torch.Tensor | None = None) -> dict:
    """A toy family's progress picture: real samples beside the fakes (coloured by their labels when given)."""
    real, _ = data.sample(len(fake), torch.Generator(device=data.device).manual_seed(0))
    out = {"kind": "toy", "real": real, "fake": fake}
    if labels is not None:
        out["fake_labels"] = labels.cpu()
    return out


def write_png(path: Path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """A grid of images (one class a row when the inputs' labels divide them evenly), or a toy plot."""
    labels = inputs.get("y")
    n = len(samples)
    if samples.dim() == 4:
        arranged, per_row = latent_tools.arranged(samples, inputs)  # a walk or a style-mixing grid
        if per_row is None:
            classes = len(torch.unique(labels)) if labels is not None and labels.dim() == 1 else 0
            per_row = n // classes if classes and n % classes == 0 else None
        save_grid(arranged, path, nrow=per_row, scale=_sample_scale(samples))
    elif samples.shape[1] == 1:
        plot_toy_1d(samples, samples, path, title=f"{n} samples")
    else:
        plot_toy_2d(samples, samples, path, title=f"{n} samples", fake_labels=labels)


def write_npz(path: Path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """`images` (uint8 N x H x W x C) or toy `samples` (N x dim), and `labels` (N,) when the samples have them."""
    arrays = ({"images": to_uint8(samples).permute(0, 2, 3, 1).numpy()} if samples.dim() == 4  # (N, H, W, C)
              else {"samples": samples.numpy()})                                               # (N, dim)
    labels = inputs.get("y")
    if labels is not None and labels.dim() == 1:
        arrays["labels"] = labels.numpy()
    with open(path, "xb") as f:  # a file object: numpy adds no second ".npz" to "keep.NPZ"; never overwrites
        np.savez_compressed(f, **arrays)


def write_gif(path: Path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """Images as an animated GIF: a walk's frames (plain samples: one frame); toy samples have no GIF."""
    if samples.dim() != 4:
        raise GankitError(f"--out {path}: a GIF shows images, and these samples are points; use .png or .npz.")
    frames = latent_tools.frames_of(samples, inputs) if "frame" in inputs else [samples]
    save_gif([upscale(make_grid(f), _sample_scale(samples)) for f in frames], path, duration_ms=80)


def _sample_scale(samples: torch.Tensor) -> int:
    """The integer enlargement of `gankit sample`'s pictures: images about 64 px."""
    return max(1, 64 // samples.shape[-1])


IMAGE_WRITERS = {".png": write_png, ".npz": write_npz, ".gif": write_gif}
