"""The image gradient difference loss (GDL) of Mathieu, Couprie & LeCun 2016.

"Deep multi-scale video prediction beyond mean square error" (ICLR 2016), equation (5): for a true frame
Y and a prediction X,

    L_gdl(X, Y) = sum_{i,j} | |Y[i,j] - Y[i-1,j]| - |X[i,j] - X[i-1,j]| |^alpha
                          + | |Y[i,j-1] - Y[i,j]| - |X[i,j-1] - X[i,j]| |^alpha

with alpha an integer >= 1 (the paper's experiments use alpha = 1). It compares the magnitudes of the
image gradients, not the pixels: a prediction is penalised where it is flat and the truth has an edge, or
the reverse, which is what a blurred average of several futures does wherever they disagree. An L2 loss
alone is minimised by that average; the GDL pulls toward sharp edges.

gankit takes the MEAN over the vertical differences (H-1) x W plus the mean over the horizontal ones
H x (W-1) (per channel, frame and example) instead of the sum, so that the loss's scale does not grow with
the frame size and sits beside a mean squared error at weight 1, as the paper's lambda_gdl = lambda_l2 = 1.
"""

from __future__ import annotations

import torch


def gradient_difference(pred: torch.Tensor, true: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Mathieu et al.'s GDL of predictions against the truth, any (..., H, W) of one shape; a 0-d fp32 tensor.

    mean | |dY_i| - |dX_i| |^alpha over the vertical neighbours + the same over the horizontal ones.
    """
    if pred.shape != true.shape or pred.dim() < 2:
        raise ValueError(f"predictions and truth must be (..., H, W) of one shape, got {tuple(pred.shape)} and "
                         f"{tuple(true.shape)}")
    pred, true = pred.float(), true.float()
    vertical = ((true[..., 1:, :] - true[..., :-1, :]).abs()
                - (pred[..., 1:, :] - pred[..., :-1, :]).abs()).abs()    # (..., H-1, W)
    horizontal = ((true[..., :, 1:] - true[..., :, :-1]).abs()
                  - (pred[..., :, 1:] - pred[..., :, :-1]).abs()).abs()  # (..., H, W-1)
    if alpha != 1:
        vertical, horizontal = vertical.pow(alpha), horizontal.pow(alpha)
    return vertical.mean() + horizontal.mean()
