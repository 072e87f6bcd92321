"""Progress pictures of a run: fixed-noise sample grids (or toy plots), the GIF, the curves."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

from gankit.objectives import generate
from gankit.viz import make_grid, plot_curves, plot_toy_1d, plot_toy_2d, read_stats, save_gif, save_grid


def grid_scale(n: int, size: int, target_px: int = 480) -> int:
    """Integer upscaling that brings a grid of n images of `size` pixels near target_px wide."""
    per_row = math.ceil(math.sqrt(n))
    return max(1, round(target_px / (per_row * (size + 2))))


@torch.no_grad()
def save_progress_picture(path: Path, G: nn.Module, D: nn.Module, fixed_z: torch.Tensor,
                          data, probabilistic: bool) -> Path:
    """Draw G(fixed_z) in eval mode: a grid for images, a density or scatter plot for toy data."""
    G_was, D_was = G.training, D.training
    G.eval(), D.eval()
    try:
        fake = G(fixed_z)  # (N, ...)
        if data.kind == "image":
            return save_grid(fake, path, scale=grid_scale(len(fake), fake.shape[-1]))
        real, _ = data.sample(len(fake), torch.Generator().manual_seed(0))
        if data.shape == (1,):
            d_fn = (lambda x: torch.sigmoid(D(x))) if probabilistic else None
            g_map = (fixed_z[:, 0], fake[:, 0]) if fixed_z.shape[1] == 1 else None
            return plot_toy_1d(real, fake, path, density=data.density, d_fn=d_fn, g_map=g_map,
                               title=path.stem)
        return plot_toy_2d(real, fake, path, modes=data.modes, title=path.stem)
    finally:
        G.train(G_was), D.train(D_was)


def grid_array(G: nn.Module, fixed_z: torch.Tensor):
    """The sample grid as a uint8 array (for TensorBoard)."""
    return make_grid(generate(G, fixed_z))


def finish_pictures(run_dir: Path) -> dict[str, Path]:
    """Write samples.gif from the progress pictures and curves.png from stats.jsonl."""
    out = {}
    frames = sorted((run_dir / "samples").glob("step-*.png"))
    if frames:
        out["gif"] = save_gif(frames, run_dir / "samples.gif", duration_ms=250)
        out["grid"] = frames[-1]
    records = read_stats(run_dir / "stats.jsonl") if (run_dir / "stats.jsonl").exists() else []
    if records:
        out["curves"] = plot_curves(records, run_dir / "curves.png")
    return out
