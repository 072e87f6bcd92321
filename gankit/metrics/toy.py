"""1-D distribution distances for toy data: Wasserstein-1, and KL/JS against a known density."""

from __future__ import annotations

import math

import torch

from gankit.errors import GankitError

# Added to every bin's probability so an empty histogram bin gives a large, finite KL
# rather than infinity; 1e-10 is far below one sample's share of any realistic sample.
EPS = 1e-10


def _vector(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 1-D tensor of samples."""
    x = torch.as_tensor(x).double().flatten()
    if len(x) == 0:
        raise GankitError(f"{name} is empty; a 1-D distance needs samples.")
    return x


def wasserstein1(samples, other) -> float:
    """Exact W1 between two 1-D empirical distributions: the integral of |F - G|."""
    u, v = _vector(samples, "samples").sort().values, _vector(other, "other").sort().values
    points = torch.cat([u, v]).sort().values
    widths = points.diff()
    # Both empirical CDFs are constant between consecutive pooled points; evaluate each at the left end.
    cdf_u = torch.searchsorted(u, points[:-1], right=True).double() / len(u)
    cdf_v = torch.searchsorted(v, points[:-1], right=True).double() / len(v)
    return ((cdf_u - cdf_v).abs() * widths).sum().item()


def _bin_masses(density, edges: torch.Tensor, sub: int = 16) -> torch.Tensor:
    """Density integrated over each bin by the midpoint rule on `sub` points per bin."""
    width = (edges[1] - edges[0]) / sub
    starts = edges[:-1, None] + width * (torch.arange(sub, dtype=torch.float64) + 0.5)[None]
    values = torch.as_tensor(density(starts.reshape(-1, 1))).double().reshape(len(edges) - 1, sub)
    return values.sum(dim=1) * width


def _kl(p: torch.Tensor, q: torch.Tensor) -> float:
    """KL(p || q) in nats for probability vectors, with 0 log 0 = 0."""
    return (torch.xlogy(p, p) - torch.xlogy(p, q)).sum().item()


def kl_js_to_density(samples, density, grid_min: float, grid_max: float, bins: int = 200) -> dict:
    """KL(p_data || p_g) and JS between a known density and a histogram of samples, in nats."""
    x = _vector(samples, "samples")
    if not grid_max > grid_min or bins < 1:
        raise GankitError(f"the grid needs grid_max > grid_min and bins >= 1, got [{grid_min}, {grid_max}] and {bins}.")
    edges = torch.linspace(grid_min, grid_max, bins + 1, dtype=torch.float64)
    counts = torch.histc(x, bins=bins, min=grid_min, max=grid_max)
    inside = counts.sum()
    if inside == 0:
        raise GankitError(f"no sample falls in [{grid_min}, {grid_max}]; widen the grid to where the samples are.")
    masses = _bin_masses(density, edges)
    # Both sides are compared as distributions over the window; mass outside it is reported, not scored.
    p_data = masses / masses.sum() + EPS
    p_g = counts / inside + EPS
    p_data, p_g = p_data / p_data.sum(), p_g / p_g.sum()
    mixture = (p_data + p_g) / 2
    # JS is at most log 2 in exact arithmetic; rounding must not report more.
    js = min((_kl(p_data, mixture) + _kl(p_g, mixture)) / 2, math.log(2))
    return {"kl": _kl(p_data, p_g), "js": js, "outside": 1 - inside.item() / len(x)}
