"""Adversarial losses by name; each entry pairs a D loss with a G loss."""

from typing import Callable, NamedTuple

import torch

from gankit.losses.adversarial import (bce_d_loss, hinge_d_loss, lsgan_d_loss, lsgan_g_loss,
                                       minimax_g_loss, nonsaturating_g_loss, wasserstein_d_loss,
                                       wasserstein_g_loss)
from gankit.losses.penalties import clip_weights_, gradient_penalty, r1_penalty


class Loss(NamedTuple):
    d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]   # (d_real, d_fake) -> scalar
    g: Callable[[torch.Tensor], torch.Tensor]                 # (d_fake) -> scalar
    probabilistic: bool  # D's output is a logit, so sigmoid(D) is the probability "real"


LOSSES = {
    "minimax": Loss(bce_d_loss, minimax_g_loss, True),
    "nonsaturating": Loss(bce_d_loss, nonsaturating_g_loss, True),
    "wasserstein": Loss(wasserstein_d_loss, wasserstein_g_loss, False),
    "hinge": Loss(hinge_d_loss, wasserstein_g_loss, False),
    "lsgan": Loss(lsgan_d_loss, lsgan_g_loss, False),
}

__all__ = ["LOSSES", "Loss", "clip_weights_", "gradient_penalty", "r1_penalty"]
