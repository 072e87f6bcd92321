"""Small building blocks shared by every model family."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

from gankit.errors import GankitError

G_OUTS = ("tanh", "sigmoid", "none")


class ScaledSigmoid(nn.Module):
    """2 * sigmoid(x) - 1: the 2014 paper's sigmoid output, mapped onto [-1, 1]."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Squash x into [-1, 1] through a sigmoid."""
        return 2.0 * torch.sigmoid(x) - 1.0


def output_activation(g_out: str) -> nn.Module:
    """Return the generator output activation named by g_out (tanh | sigmoid | none)."""
    if g_out == "tanh":
        return nn.Tanh()
    if g_out == "sigmoid":
        # Our images live on [-1, 1], so the sigmoid is rescaled rather than
        # changing the data convention for one model.
        return ScaledSigmoid()
    if g_out == "none":
        return nn.Identity()
    raise GankitError(
        f"unknown generator output activation {g_out!r}; use one of: {', '.join(G_OUTS)}."
    )


def maybe_spectral_norm(module: nn.Module, enabled: bool) -> nn.Module:
    """Wrap module's weight in spectral normalisation when enabled, else return it as is."""
    return spectral_norm(module) if enabled else module


def prod(shape: tuple[int, ...]) -> int:
    """Number of elements in one sample of the given shape."""
    n = 1
    for s in shape:
        n *= int(s)
    return n


def check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Return shape as a tuple of positive ints, or raise GankitError."""
    shape = tuple(int(s) for s in shape)
    if not shape or any(s <= 0 for s in shape):
        raise GankitError(f"a model needs a non-empty data shape of positive sizes, got {shape}.")
    return shape


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm without an affine of its own, then a scale and shift chosen by the class label.

    The conditional BatchNorm of de Vries et al. 2017 that Miyato and Koyama 2018
    put in the generator beside their projection discriminator; scales start
    at N(1, 0.02) and shifts at 0, as DCGAN initialises BatchNorm.
    """

    def __init__(self, channels: int, num_classes: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.scale = nn.Embedding(num_classes, channels)
        self.shift = nn.Embedding(num_classes, channels)
        nn.init.normal_(self.scale.weight, 1.0, 0.02)
        nn.init.zeros_(self.shift.weight)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Normalise x (B, C, H, W) and apply the scale and shift of each sample's class y (B,)."""
        h = self.norm(x)  # (B, C, H, W)
        return h * self.scale(y)[:, :, None, None] + self.shift(y)[:, :, None, None]
