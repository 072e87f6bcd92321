"""Perceptual path length (Karras et al. 2019): how much samples change, in a feature network's space, for a
small step along an interpolation of latents.

PPL = E[ d(G(lerp(w1, w2, t)), G(lerp(w1, w2, t + eps))) / eps^2 ], t ~ U(0, 1), eps = 1e-4, d the squared
feature distance, the 1% smallest and largest distances discarded, as the paper does. The paper measures
d with LPIPS (VGG16 weights that would have to be downloaded); gankit uses the run's feature network
(the shipped domain classifier, or Inception weights you give), so its values are not comparable with the
published ones, only with each other. Interpolation in w for a style-based G, spherical in z otherwise.
"""

from __future__ import annotations

import torch

EPSILON = 1e-4


def ppl_from_features(start: torch.Tensor, end: torch.Tensor, eps: float = EPSILON) -> float:
    """The mean of ||start - end||^2 / eps^2 over rows (N, F), its 1% extremes on either side discarded."""
    d = (start.double() - end.double()).square().sum(1) / eps ** 2
    low, high = torch.quantile(d, 0.01), torch.quantile(d, 0.99)
    kept = d[(d >= low) & (d <= high)]
    return float(kept.mean())
