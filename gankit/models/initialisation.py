"""Weight initialisations chosen by `model.init`, applied after a family builds its networks."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils import parametrize

from gankit.errors import GankitError
from gankit.models.layers import ScaledSigmoid

# The 2014 reference code (mnist.yaml): pylearn2's `irange`, weights uniform on [-r, r].
GOODFELLOW2014_RANGES = {"G": 0.05, "D": 0.005}
# The PacGAN reference code (synthetic_data_experiments, config.py): IsotropicGaussian(0.02) weights, zero biases.
PACGAN2018_STD = 0.02


def _linears(net: nn.Module) -> list[nn.Linear]:
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


@torch.no_grad()
def _marginal_logits(images: torch.Tensor) -> torch.Tensor:
    """logit of each pixel's mean in [0, 1] (pylearn2's init_sigmoid_bias_from_marginals), flattened."""
    total = sum(part.flatten(1).double().sum(0) for part in images.split(10_000))  # uint8, as datasets hold them
    p = (total / (255 * len(images))).clamp(1e-7, 1 - 1e-7)
    return (p.log() - (-p).log1p()).float()


@torch.no_grad()
def initialise(G: nn.Module, D: nn.Module, cfg, data) -> None:
    """Re-initialise G and D as cfg.init asks ('default' keeps each family's own initialisation)."""
    if cfg.init == "default":
        return
    allowed = ("mlp", "maxout", "cgan2014") if cfg.init == "goodfellow2014" else ("mlp", "maxout")
    for name in (cfg.generator or cfg.name, cfg.discriminator or cfg.name):
        if name not in allowed:
            raise GankitError(f"model.init={cfg.init} is for the fully connected models ({', '.join(allowed)}), not "
                              f"'{name}'; use model.init=default.")
    for name, net in (("G", G), ("D", D)):
        for layer in _linears(net):
            weight = layer.parametrizations.weight.original if parametrize.is_parametrized(layer, "weight") \
                else layer.weight  # spectral norm keeps the raw weight apart
            if cfg.init == "pacgan2018":
                weight.normal_(0.0, PACGAN2018_STD)  # the global torch RNG, seeded by the run's seed
            else:
                r = GOODFELLOW2014_RANGES[name]
                weight.uniform_(-r, r)
            if layer.bias is not None:  # a Linear before batch norm has none
                layer.bias.zero_()
    if cfg.init == "pacgan2018":
        return
    images = getattr(data, "images", None)
    if images is not None and any(isinstance(m, ScaledSigmoid) for m in G.modules()):
        # A sigmoid output starts at the data's mean image, as the reference code's G did.
        _linears(G)[-1].bias.copy_(_marginal_logits(images))
