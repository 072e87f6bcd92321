"""Memorization check: are generated samples closer to the training set than held-out data is?"""

from __future__ import annotations

import torch

from gankit.errors import GankitError


def _matrix(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 (N, d) tensor, one flattened example per row."""
    x = torch.as_tensor(x).double()
    if x.dim() == 0 or len(x) == 0:
        raise GankitError(f"{name} is empty; the memorization check needs at least one example.")
    return x.reshape(len(x), -1)


def nearest_distances(queries, reference, chunk: int = 1024) -> tuple[torch.Tensor, torch.Tensor]:
    """Euclidean distance (N,) from each query to its nearest reference row, and that row's index (N,)."""
    queries, reference = _matrix(queries, "queries"), _matrix(reference, "reference")
    if queries.shape[1] != reference.shape[1]:
        raise GankitError(f"queries have {queries.shape[1]} values each but reference rows have "
                          f"{reference.shape[1]}; compare examples of one shape.")
    # Chunks of queries keep the distance matrix at chunk x M, not N x M.
    index = torch.cat([torch.cdist(queries[i:i + chunk], reference).argmin(dim=1)
                       for i in range(0, len(queries), chunk)])
    # cdist's matmul shortcut leaves ~1e-7 where a copy should read 0; recompute the winners directly.
    dist = (queries - reference[index]).norm(dim=1)
    return dist, index


def memorization_report(fake, train, test, top: int = 8) -> dict:
    """Compare fake-to-train nearest distances with test-to-train ones, the held-out baseline."""
    fake_dist, fake_index = nearest_distances(fake, train)
    test_dist, _ = nearest_distances(test, train)
    fake_median, test_median = fake_dist.median().item(), test_dist.median().item()
    # A fake nearer to train than 99% of real held-out images is one a copy would explain.
    threshold = torch.quantile(test_dist, 0.01).item()
    closest = fake_dist.argsort()[:top]
    return {
        "fake_median": fake_median,
        "test_median": test_median,
        # Below 1: generated samples hug the training set more tightly than unseen real data does.
        "median_ratio": fake_median / test_median if test_median > 0 else float("nan"),
        "threshold": threshold,
        "suspicious_share": (fake_dist <= threshold).double().mean().item(),
        "closest_fake": closest.tolist(),
        "closest_train": fake_index[closest].tolist(),
        "closest_distances": fake_dist[closest].tolist(),
    }
