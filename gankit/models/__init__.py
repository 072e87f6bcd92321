"""Generator / discriminator families and the registry that builds them by name."""

from __future__ import annotations

from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import build_dcgan
from gankit.models.initialisation import initialise
from gankit.models.maxout import build_maxout
from gankit.models.mlp import build_mlp

MODELS = {"mlp": build_mlp, "maxout": build_maxout, "dcgan": build_dcgan}

__all__ = ["MODELS", "build_models", "initialise", "count_parameters", "build_mlp", "build_maxout", "build_dcgan"]


def build_models(cfg, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """Build (G, D) for cfg.name and data of the given shape."""
    builder = MODELS.get(cfg.name)
    if builder is None:
        raise GankitError(
            f"unknown model {cfg.name!r}; use one of: {', '.join(sorted(MODELS))}."
        )
    return builder(cfg, tuple(int(s) for s in shape))


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameter elements in module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
