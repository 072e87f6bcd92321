"""The pixel losses of the regression-backed families (super-resolution, next-frame prediction)."""

from __future__ import annotations

import torch


def pixel_distance(x: torch.Tensor, y: torch.Tensor, squared: bool) -> torch.Tensor:
    """Mean squared (L2 / MSE) or absolute (L1) difference of x and y, in fp32."""
    diff = x.float() - y.float()
    return diff.pow(2).mean() if squared else diff.abs().mean()
