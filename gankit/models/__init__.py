"""Networks: one builder per network, in two literal dicts that recipes name.

`model.name` is the shorthand that picks both networks; `model.generator` and
`model.discriminator` pick them apart (e.g. the 2014 paper's ReLU MLP G is
`mlp`, its D `maxout`).
"""

from __future__ import annotations

from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import build_dcgan_discriminator, build_dcgan_generator
from gankit.models.conditional import (CONDITIONAL_DISCRIMINATORS, CONDITIONAL_GENERATORS,
                                       build_conditional_discriminator, build_conditional_generator)
from gankit.models.initialisation import initialise
from gankit.models.maxout import build_maxout_discriminator
from gankit.models.mlp import build_mlp_discriminator, build_mlp_generator
from gankit.models.stylegan2 import build_style_discriminator, build_style_generator

GENERATORS = {"mlp": build_mlp_generator, "maxout": build_mlp_generator, "dcgan": build_dcgan_generator,
              "stylegan2": build_style_generator}
DISCRIMINATORS = {"mlp": build_mlp_discriminator, "maxout": build_maxout_discriminator,
                  "dcgan": build_dcgan_discriminator, "stylegan2": build_style_discriminator}

__all__ = ["DISCRIMINATORS", "GENERATORS", "build_conditional_models", "build_discriminator", "build_generator",
           "build_models",
           "count_parameters", "initialise", "network_names"]


def network_names(cfg) -> tuple[str, str]:
    """(generator, discriminator) builder names: model.generator / model.discriminator, else model.name."""
    return cfg.generator or cfg.name, cfg.discriminator or cfg.name


def _build(table: dict, kind: str, name: str, cfg, shape) -> nn.Module:
    builder = table.get(name)
    if builder is None:
        raise GankitError(f"unknown {kind} {name!r}; use one of: {', '.join(sorted(table))}.")
    return builder(cfg, tuple(int(s) for s in shape))


def build_generator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The generator the model config names, for data of the given shape."""
    return _build(GENERATORS, "generator", network_names(cfg)[0], cfg, shape)


def build_discriminator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The discriminator the model config names, for data of the given shape."""
    return _build(DISCRIMINATORS, "discriminator", network_names(cfg)[1], cfg, shape)


def build_models(cfg, shape: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """(G, D) for the model config and data shape; G is built first (it draws its weights first)."""
    return build_generator(cfg, shape), build_discriminator(cfg, shape)


def build_conditional_models(cfg, shape: tuple[int, ...], num_classes: int,
                             cond: str = "concat") -> tuple[nn.Module, nn.Module]:
    """(G(z, y), D(x, y)) for K = num_classes, with the label fed as `cond` says (gankit.models.conditional)."""
    shape = tuple(int(s) for s in shape)
    g_name, d_name = network_names(cfg)
    for kind, name, tables in (("generator", g_name, (GENERATORS, CONDITIONAL_GENERATORS)),
                               ("discriminator", d_name, (DISCRIMINATORS, CONDITIONAL_DISCRIMINATORS))):
        if not any(name in table for table in tables):
            raise GankitError(f"unknown {kind} {name!r}; use one of: {', '.join(sorted(set().union(*tables)))}.")
    G = build_conditional_generator(cfg, shape, num_classes, GENERATORS, g_name, cond)
    return G, build_conditional_discriminator(cfg, shape, num_classes, DISCRIMINATORS, d_name, cond)


def count_parameters(module: nn.Module) -> int:
    """Number of trainable parameter elements in module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
