"""Pictures of toy GANs: 1-D densities in the style of Goodfellow et al. 2014
(Figure 1) and 2-D scatter plots of mixtures of Gaussians."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional, Tuple

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import PathLike, atomic_write

GRID_POINTS = 400
MARGIN = 0.15  # fraction of the data span added on each side
KDE_MAX_SAMPLES = 5000  # a strided subsample keeps the KDE cost bounded
MAX_ARROWS = 40  # more mapping lines than this turn into a solid smear
DPI = 100


def _as_1d(values, name: str) -> np.ndarray:
    array = torch.as_tensor(values).detach().cpu().double()
    if array.dim() == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.dim() != 1:
        raise ValueError(f"{name} must be shaped (N,) or (N, 1); got {tuple(array.shape)}")
    return array.numpy()


def _as_2d(values, name: str) -> np.ndarray:
    array = torch.as_tensor(values).detach().cpu().double()
    if array.dim() != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must be shaped (N, 2); got {tuple(array.shape)}")
    return array.numpy()


def _x_range(*arrays: np.ndarray) -> Tuple[float, float]:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else 1.0
    return low - MARGIN * span, high + MARGIN * span


def _call_on_grid(fn: Callable, grid: np.ndarray) -> np.ndarray:
    points = torch.as_tensor(grid, dtype=torch.float32).unsqueeze(1)
    # A discriminator may live on a GPU; feed it the grid where it lives.
    if isinstance(fn, torch.nn.Module):
        param = next(fn.parameters(), None)
        if param is not None:
            points = points.to(param.device)
    with torch.no_grad():
        out = fn(points)
    return torch.as_tensor(out).detach().cpu().double().reshape(-1).numpy()


def kde(samples: np.ndarray, grid: np.ndarray, span: float) -> np.ndarray:
    """Gaussian kernel density estimate of ``samples`` evaluated on ``grid``."""
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return np.zeros_like(grid)
    if samples.size > KDE_MAX_SAMPLES:
        samples = np.sort(samples)[:: samples.size // KDE_MAX_SAMPLES + 1]
    std = samples.std()
    # Silverman's rule; a collapsed generator has std 0, so floor the
    # bandwidth at a small fraction of the plotted range.
    width = max(1.06 * std * samples.size ** (-0.2), 0.01 * span)
    diffs = (grid[:, None] - samples[None, :]) / width
    return np.exp(-0.5 * diffs**2).sum(axis=1) / (samples.size * width * np.sqrt(2 * np.pi))


def _draw_densities(ax, real, fake, grid, span, density) -> None:
    if density is not None:
        p_data = _call_on_grid(density, grid)
        ax.plot(grid, p_data, color="black", linestyle=":", linewidth=2, label="p_data")
    else:
        p_data = kde(real, grid, span)
        ax.plot(grid, p_data, color="black", linestyle=":", linewidth=2,
                label="p_data (KDE of real)")
    if fake.size:
        ax.hist(fake[np.isfinite(fake)], bins=50, range=(grid[0], grid[-1]),
                density=True, color="tab:green", alpha=0.2)
        p_g = kde(fake, grid, span)
        ax.plot(grid, p_g, color="tab:green", linewidth=2, label="p_g")
        # A spiky p_g (mode collapse) would flatten p_data to a line; clip
        # the axis so both stay readable, the clipped peak tells the story.
        peak = float(np.nanmax(p_data)) if p_data.size else 0.0
        if peak > 0 and p_g.max() > 4 * peak:
            ax.set_ylim(0, 4 * peak * 1.05)
    ax.set_ylabel("density")
    ax.set_ylim(bottom=0)


def _draw_discriminator(ax, grid, d_fn):
    twin = ax.twinx()
    twin.plot(grid, _call_on_grid(d_fn, grid), color="tab:blue", linestyle="--",
              linewidth=2, label="D(x)")
    twin.set_ylim(0, 1.05)
    twin.set_ylabel("D(x)", color="tab:blue")
    twin.tick_params(axis="y", colors="tab:blue")
    return twin


def _draw_mapping(ax, z: np.ndarray, x: np.ndarray) -> None:
    """Lines from each z (lower level) to G(z) (upper level), as in Figure 1."""
    order = np.argsort(z)
    if order.size > MAX_ARROWS:
        order = order[np.linspace(0, order.size - 1, MAX_ARROWS).astype(int)]
    ax.axhline(0.0, color="black", linewidth=1)
    ax.axhline(1.0, color="black", linewidth=1)
    for i in order:
        ax.annotate("", xy=(x[i], 1.0), xytext=(z[i], 0.0),
                    arrowprops=dict(arrowstyle="->", color="tab:gray", linewidth=0.8,
                                    shrinkA=0, shrinkB=0))
    ax.set_ylim(-0.15, 1.15)
    ax.set_yticks([0.0, 1.0], labels=["z", "x"])
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def plot_toy_1d(real, fake, path: PathLike, density: Optional[Callable] = None,
                d_fn: Optional[Callable] = None, g_map=None,
                title: Optional[str] = None) -> Path:
    """Plot p_data, p_g, D(x) and optionally the z -> x mapping for a 1-D toy GAN."""
    real, fake = _as_1d(real, "real"), _as_1d(fake, "fake")
    arrays = [real, fake]
    if g_map is not None:
        z_map, x_map = _as_1d(g_map[0], "g_map z"), _as_1d(g_map[1], "g_map x")
        if z_map.shape != x_map.shape:
            raise ValueError(f"g_map z and x differ in length: {z_map.size} vs {x_map.size}")
        arrays += [z_map, x_map]
    low, high = _x_range(*arrays)
    grid = np.linspace(low, high, GRID_POINTS)
    fig = Figure(figsize=(7, 5 if g_map is not None else 4), layout="constrained")
    if g_map is not None:
        ax, map_ax = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    else:
        ax, map_ax = fig.subplots(), None
    _draw_densities(ax, real, fake, grid, high - low, density)
    handles, labels = ax.get_legend_handles_labels()
    if d_fn is not None:
        twin = _draw_discriminator(ax, grid, d_fn)
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels, loc="upper left", fontsize="small")
    ax.set_xlim(low, high)
    if map_ax is not None:
        _draw_mapping(map_ax, z_map, x_map)
        map_ax.set_xlabel("x  (lower line: z,  arrows: x = G(z))")
    else:
        ax.set_xlabel("x")
    if title:
        ax.set_title(title)
    return atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=DPI))


def plot_toy_2d(real, fake, path: PathLike, modes=None, title: Optional[str] = None,
                fake_labels=None) -> Path:
    """Scatter real (grey) and fake (green, or coloured by fake_labels (N,)) 2-D samples, with optional mode centres.

    With labels, each mode centre takes the colour of the label that asks for it, so a
    conditional G that puts class k on mode k shows each colour around its own cross.
    """
    real, fake = _as_2d(real, "real"), _as_2d(fake, "fake")
    fig = Figure(figsize=(5.5, 5.5), layout="constrained")
    ax = fig.subplots()
    ax.scatter(real[:, 0], real[:, 1], s=4, color="tab:gray", alpha=0.5, label="real")
    colours = None
    if fake_labels is None:
        ax.scatter(fake[:, 0], fake[:, 1], s=6, color="tab:green", alpha=0.6, label="fake")
    else:
        labels = np.asarray(fake_labels).reshape(-1)
        colours = matplotlib.colormaps["tab10" if labels.max(initial=0) < 10 else "tab20"]
        ax.scatter(fake[:, 0], fake[:, 1], s=6, c=colours(labels % colours.N), alpha=0.7,
                   label="fake (colour: label)")
    if modes is not None:
        centres = _as_2d(modes, "modes")
        marks = "black" if colours is None else colours(np.arange(len(centres)) % colours.N)
        ax.scatter(centres[:, 0], centres[:, 1], s=60, c=marks, marker="x",
                   linewidths=2, label="modes")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right", fontsize="small", markerscale=2)
    if title:
        ax.set_title(title)
    return atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=DPI))
