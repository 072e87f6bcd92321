"""k-NN manifold metrics: precision/recall (Kynkaanniemi et al. 2019), density/coverage (Naeem et al. 2020)."""

from __future__ import annotations

import torch

from gankit.errors import GankitError


def _matrix(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 (N, d) tensor, one row per example."""
    x = torch.as_tensor(x).double()
    if x.dim() == 0 or len(x) == 0:
        raise GankitError(f"{name} is empty; k-NN metrics need examples.")
    return x.reshape(len(x), -1)


def _pair(real, fake, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Validated float64 matrices of real and fake features."""
    real, fake = _matrix(real, "real"), _matrix(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise GankitError(f"real and fake features differ in width ({real.shape[1]} and {fake.shape[1]}); "
                          "extract both with the same network.")
    if not 1 <= k < min(len(real), len(fake)):
        raise GankitError(f"k = {k} needs 1 <= k < the smaller set size ({min(len(real), len(fake))}).")
    return real, fake


def knn_radii(x: torch.Tensor, k: int, chunk: int = 1024) -> torch.Tensor:
    """Distance (N,) from each row to its k-th nearest other row of the same set."""
    # k + 1 smallest: the first is the row itself, at distance 0.
    return torch.cat([torch.cdist(x[i:i + chunk], x).topk(k + 1, dim=1, largest=False).values[:, k]
                      for i in range(0, len(x), chunk)])


def _count_balls(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor,
                 strict: bool, chunk: int) -> torch.Tensor:
    """How many balls (centre, radius) hold each point (N,), in chunks of points."""
    counts = []
    for i in range(0, len(points), chunk):
        dist = torch.cdist(points[i:i + chunk], centres)
        inside = dist < radii[None] if strict else dist <= radii[None]
        counts.append(inside.sum(dim=1))
    return torch.cat(counts)


def precision_recall(real, fake, k: int = 3, chunk: int = 1024) -> dict:
    """Share of fakes inside the real k-NN manifold, and of reals inside the fake one."""
    real, fake = _pair(real, fake, k)
    # Closed balls (<=), as in the reference implementation of Kynkaanniemi et al.
    precision = _count_balls(fake, real, knn_radii(real, k, chunk), strict=False, chunk=chunk) > 0
    recall = _count_balls(real, fake, knn_radii(fake, k, chunk), strict=False, chunk=chunk) > 0
    return {"precision": precision.double().mean().item(), "recall": recall.double().mean().item()}


def density_coverage(real, fake, k: int = 5, chunk: int = 1024) -> dict:
    """Mean real-ball count per fake over k, and share of real balls holding any fake."""
    real, fake = _pair(real, fake, k)
    radii = knn_radii(real, k, chunk)
    # Open balls (<), as in Naeem et al.'s code: a real ball then holds itself plus k - 1
    # neighbours, so fakes identical to the reals score density exactly 1.
    density = _count_balls(fake, real, radii, strict=True, chunk=chunk).double().sum() / (k * len(fake))
    nearest_fake = torch.cat([torch.cdist(real[i:i + chunk], fake).min(dim=1).values
                              for i in range(0, len(real), chunk)])
    coverage = (nearest_fake < radii).double().mean()
    return {"density": density.item(), "coverage": coverage.item()}
