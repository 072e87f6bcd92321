"""A stand-in for gankit.config.ModelConfig so model tests do not depend on it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest
import torch


@dataclass
class StubModelConfig:
    """Same attributes and defaults as ModelConfig, as far as the models read them."""

    name: str = "dcgan"
    generator: str | None = None
    discriminator: str | None = None
    z_dim: int = 100
    g_hidden: list[int] = field(default_factory=lambda: [256, 256])
    d_hidden: list[int] = field(default_factory=lambda: [256, 256])
    maxout_pieces: int = 5
    width: int = 64
    g_width: int = 0
    d_width: int = 0
    d_norm: str = "batch"
    g_norm: str = "none"
    spectral_norm: bool = False
    dropout: float = 0.0
    input_dropout: float = 0.0
    g_out: str = "tanh"
    init: str = "default"
    cond: str = "concat"        # not a model key: the conditional family passes it (conditional.cond)
    g_dropout: float = 0.0


@pytest.fixture
def make_cfg():
    """Factory: make_cfg(**overrides) -> StubModelConfig."""

    def make(**overrides):
        return dataclasses.replace(StubModelConfig(), **overrides)

    return make


@pytest.fixture(autouse=True)
def _seed():
    """Fixed seed so every test is deterministic."""
    torch.manual_seed(0)
