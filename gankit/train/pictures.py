"""Progress pictures of a run: fixed-noise sample grids (or toy plots), the GIF, the curves."""

from __future__ import annotations

import math
from pathlib import Path

from gankit.viz import plot_curves, plot_toy_1d, plot_toy_2d, read_stats, save_gif, save_grid


def grid_scale(n: int, size: int, per_row: int | None = None, target_px: int = 480) -> int:
    """Integer upscaling that brings a grid of n images of `size` pixels (per_row a row, default square) near target_px wide."""
    per_row = per_row or math.ceil(math.sqrt(n))
    return max(1, round(target_px / (per_row * (size + 2))))


def save_progress_picture(path: Path, preview: dict, data) -> Path:
    """Draw what a family's `preview` returned: a grid for images, a density or scatter plot for toy data."""
    if preview["kind"] == "grid":
        images, nrow = preview["images"], preview.get("nrow")  # nrow: images per row (e.g. one class a row)
        return save_grid(images, path, nrow=nrow, scale=grid_scale(len(images), images.shape[-1], nrow))
    real, fake = preview["real"], preview["fake"]
    if data.shape == (1,):
        return plot_toy_1d(real, fake, path, density=data.density, d_fn=preview.get("d_fn"),
                           g_map=preview.get("g_map"), title=path.stem)
    return plot_toy_2d(real, fake, path, modes=data.modes, title=path.stem, fake_labels=preview.get("fake_labels"))


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
