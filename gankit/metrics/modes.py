"""Mode coverage on toy mixtures: how many modes a generator reaches, and how well."""

from __future__ import annotations

import torch


def mode_coverage(samples: torch.Tensor, modes: torch.Tensor, std: float, sigmas: float = 3.0,
                  min_count: int | None = None) -> dict:
    """Assign each sample to its nearest mode; it is high quality within `sigmas` * std of it.

    A mode is reached when it holds at least `min_count` high-quality samples
    (default: 1% of the samples, at least 1), the criterion of Srivastava et
    al. 2017 (VEEGAN) and Metz et al. 2017 for the ring and grid mixtures.
    """
    samples = samples.reshape(len(samples), -1).double()  # (N, d)
    modes = modes.reshape(len(modes), -1).double()        # (M, d)
    dist = torch.cdist(samples, modes)                    # (N, M)
    nearest_dist, nearest = dist.min(dim=1)
    good = nearest_dist <= sigmas * std
    counts = torch.bincount(nearest[good], minlength=len(modes))  # (M,)
    if min_count is None:
        min_count = max(1, int(0.01 * len(samples)))
    return {
        "modes_reached": int((counts >= min_count).sum()),
        "modes_total": len(modes),
        "high_quality_share": good.double().mean().item(),
        "counts": counts.tolist(),
    }
