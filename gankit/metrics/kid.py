"""Kernel Inception Distance: unbiased MMD^2 with a cubic polynomial kernel (Binkowski et al. 2018)."""

from __future__ import annotations

import math

import torch

from gankit.errors import GankitError


def _matrix(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 (N, d) tensor, one row per example."""
    x = torch.as_tensor(x).double()
    if x.dim() == 0 or len(x) < 2:
        raise GankitError(f"KID needs at least 2 {name} examples, got {len(x) if x.dim() else 0}.")
    return x.reshape(len(x), -1)


def _polynomial_kernel(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """k(x, y) = (x.y / d + 1)^3 for every pair of rows."""
    return (x @ y.T / x.shape[1] + 1) ** 3


def mmd2_unbiased(x: torch.Tensor, y: torch.Tensor) -> float:
    """Unbiased MMD^2 between two samples, dropping the k(x_i, x_i) terms of each within-set mean."""
    m, n = len(x), len(y)
    kxx, kyy, kxy = _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
    within_x = (kxx.sum() - kxx.diagonal().sum()) / (m * (m - 1))
    within_y = (kyy.sum() - kyy.diagonal().sum()) / (n * (n - 1))
    return (within_x + within_y - 2 * kxy.mean()).item()


def kid(real, fake, subsets: int = 100, subset_size: int = 1000,
        generator: torch.Generator | None = None) -> tuple[float, float]:
    """Mean unbiased MMD^2 over random subsets, and its standard error."""
    real, fake = _matrix(real, "real"), _matrix(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise GankitError(f"KID needs real and fake features of one width, got {real.shape[1]} and {fake.shape[1]}.")
    if subsets < 1:
        raise GankitError(f"KID needs at least 1 subset, got {subsets}.")
    size = min(subset_size, len(real), len(fake))
    if size < 2:
        raise GankitError(f"KID needs subset_size >= 2, got {subset_size}.")
    scores = []
    for _ in range(subsets):
        # Without replacement inside a subset: a repeated row would bias the within-set terms.
        r = real[torch.randperm(len(real), generator=generator)[:size].to(real.device)]
        f = fake[torch.randperm(len(fake), generator=generator)[:size].to(fake.device)]
        scores.append(mmd2_unbiased(r, f))
    scores = torch.tensor(scores, dtype=torch.float64)
    # Sample std (N-1) for a standard error of the mean; one subset has no spread to measure.
    std = scores.std().item() if subsets > 1 else 0.0
    return scores.mean().item(), std / math.sqrt(subsets)
