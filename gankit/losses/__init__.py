"""Adversarial losses by name; each entry pairs a D loss with a G loss.

`loss_for(cfg.loss)` is how the families look a loss up: LOSSES by `loss.name`,
or, for `loss.name: fgan`, the f-GAN loss of `loss.divergence` with the G
update `loss.fgan_g`.
"""

from functools import partial
from typing import Callable, NamedTuple

import torch

from gankit.losses.adversarial import (bce_d_loss, hinge_d_loss, lsgan_d_loss, lsgan_g_loss,
                                       minimax_g_loss, nonsaturating_g_loss, wasserstein_d_loss,
                                       wasserstein_g_loss)
from gankit.losses.fgan import DIVERGENCES, G_VARIANTS, fgan_d_loss, fgan_g_loss
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

# (divergence, G variant) -> Loss; only the GAN divergence's D output is a logit of "real".
FGAN_LOSSES = {
    (div, variant): Loss(partial(fgan_d_loss, divergence=div), partial(fgan_g_loss, divergence=div, variant=variant),
                         div == "gan")
    for div in DIVERGENCES for variant in G_VARIANTS
}


def loss_for(loss_cfg) -> Loss:
    """The Loss that a LossConfig names: LOSSES[name], or the f-GAN loss of its divergence and G variant."""
    if loss_cfg.name == "fgan":
        return FGAN_LOSSES[loss_cfg.divergence, loss_cfg.fgan_g]
    return LOSSES[loss_cfg.name]


__all__ = ["DIVERGENCES", "FGAN_LOSSES", "LOSSES", "Loss", "loss_for", "clip_weights_", "gradient_penalty", "r1_penalty"]
