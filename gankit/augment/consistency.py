"""Balanced consistency regularisation (bCR; Zhao et al. 2020, "Improved Consistency Regularization for GANs").

D is asked to give an image and its transform T(image) the same logit, on real and on generated images alike:
lambda_real * E||D(x) - D(T(x))||^2 + lambda_fake * E||D(G(z)) - D(T(G(z)))||^2 is added to D's loss, G's loss is
unchanged. T is the paper's CIFAR-10 transform: a horizontal flip with probability 1/2, then a shift of up to
1/8 of each side in whole pixels, bringing in black (-1, the value 0 of an image in [0, 1], as torchvision's
affine transforms fill), not DiffAugment's 0 of [-1, 1], which draws grey bars across a black background. Unlike
DiffAugment and ADA, D still sees the images themselves in its adversarial loss.
"""

from __future__ import annotations

import torch

from gankit.augment.diffaug import translation

UNIFORMS = 3  # per image: whether it flips, then the shift's rows and columns


def consistency_transform(x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """T(x) of images x (B, C, H, W) from uniforms u (B, 3): flipped left-right where u[:, 0] < 1/2, then shifted."""
    flipped = torch.where((u[:, 0] < 0.5).view(-1, 1, 1, 1), x.flip(3), x)
    return translation(flipped + 1, u[:, 1:3]) - 1  # black (-1) brought in, as a shifted photograph would be


def consistency_term(d_fn, x: torch.Tensor, logits: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """E||D(x) - D(T(x))||^2 over the batch, from D's logits (B,) on x and d_fn(images) -> logits on T(x)."""
    return (logits.float() - d_fn(consistency_transform(x.detach(), u)).float()).square().mean()
