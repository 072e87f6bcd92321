"""The Goodfellow et al. (2014) MNIST networks: ReLU generator, maxout discriminator.

Paper settings through configuration: ``g_hidden: [1200, 1200]``,
``d_hidden: [240, 240]``, ``maxout_pieces: 5``, ``input_dropout: 0.2``,
``dropout: 0.5``, ``g_out: sigmoid`` (rescaled to [-1, 1]).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import check_shape, maybe_spectral_norm, prod


class Maxout(nn.Module):
    """Linear to out_features * pieces, then the max over each unit's pieces."""

    def __init__(self, in_features: int, out_features: int, pieces: int):
        super().__init__()
        self.out_features = int(out_features)
        self.pieces = int(pieces)
        # Unit j owns the consecutive outputs j*pieces ... j*pieces + pieces - 1.
        self.linear = nn.Linear(in_features, self.out_features * self.pieces)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map (B, in_features) to (B, out_features)."""
        h = self.linear(x)  # (B, out * pieces)
        h = h.view(x.shape[0], self.out_features, self.pieces)  # (B, out, pieces)
        return h.max(dim=2).values  # (B, out)


class MaxoutDiscriminator(nn.Module):
    """flatten -> input dropout -> [Maxout + Dropout] * len(hidden) -> Linear -> (B,) logits."""

    def __init__(
        self,
        shape: tuple[int, ...],
        hidden: list[int],
        pieces: int = 5,
        dropout: float = 0.0,
        input_dropout: float = 0.0,
        use_spectral_norm: bool = False,
    ):
        super().__init__()
        self.shape = check_shape(shape)
        layers: list[nn.Module] = [nn.Flatten()]
        if input_dropout > 0:
            layers.append(nn.Dropout(input_dropout))
        width = prod(self.shape)
        for h in hidden:
            unit = Maxout(width, h, pieces)
            unit.linear = maybe_spectral_norm(unit.linear, use_spectral_norm)
            layers.append(unit)
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = h
        self.features = nn.Sequential(*layers)
        self.head = maybe_spectral_norm(nn.Linear(width, 1), use_spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map samples (B, *shape) to raw logits (B,)."""
        h = self.features(x)  # (B, F)
        return self.head(h).squeeze(1)  # (B,)


def build_maxout_discriminator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The 2014 paper's maxout discriminator (its generator is gankit.models.mlp's ReLU MLP)."""
    shape = check_shape(shape)
    if cfg.maxout_pieces < 1:
        raise GankitError(f"maxout_pieces must be at least 1, got {cfg.maxout_pieces}.")
    return MaxoutDiscriminator(shape, list(cfg.d_hidden), pieces=cfg.maxout_pieces, dropout=cfg.dropout,
                               input_dropout=cfg.input_dropout, use_spectral_norm=cfg.spectral_norm)
