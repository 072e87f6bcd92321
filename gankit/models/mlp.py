"""Fully connected generator and discriminator for toy data and small images.

The common MNIST MLP GAN preset is just configuration:
``g_hidden: [256, 512, 1024]``, ``d_hidden: [1024, 512, 256]``, ``g_out: tanh``
(optionally ``dropout: 0.3``). For 1-D/2-D toy data use ``g_out: none``.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.models.layers import check_shape, maybe_spectral_norm, output_activation, prod


class MLPGenerator(nn.Module):
    """z -> [Linear (+ BatchNorm) + ReLU] * len(hidden) -> Linear -> g_out -> reshape to shape.

    With batch_norm, each hidden Linear has no bias (the norm's shift replaces it) and the running
    statistics that eval mode uses move 5% of the way to each batch's, as in the PacGAN reference code's
    generator (Lin et al. 2018: bn_updates = m * 0.05 + p * 0.95).
    """

    def __init__(self, z_dim: int, hidden: list[int], shape: tuple[int, ...], g_out: str = "tanh",
                 batch_norm: bool = False):
        super().__init__()
        self.z_dim = int(z_dim)
        self.shape = check_shape(shape)
        layers: list[nn.Module] = []
        width = self.z_dim
        for h in hidden:
            if batch_norm:
                layers += [nn.Linear(width, h, bias=False), nn.BatchNorm1d(h, momentum=0.05), nn.ReLU()]
            else:
                layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers += [nn.Linear(width, prod(self.shape)), output_activation(g_out)]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Map noise (B, z_dim) to samples (B, *shape)."""
        out = self.net(z)  # (B, prod(shape))
        return out.view(z.shape[0], *self.shape)  # (B, *shape)


class MLPDiscriminator(nn.Module):
    """flatten -> [Linear + LeakyReLU(0.2) + Dropout] * len(hidden) -> Linear -> (B,) logits."""

    def __init__(
        self,
        shape: tuple[int, ...],
        hidden: list[int],
        dropout: float = 0.0,
        use_spectral_norm: bool = False,
    ):
        super().__init__()
        self.shape = check_shape(shape)
        layers: list[nn.Module] = [nn.Flatten()]
        width = prod(self.shape)
        for h in hidden:
            layers += [maybe_spectral_norm(nn.Linear(width, h), use_spectral_norm), nn.LeakyReLU(0.2)]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = h
        # `features` gives the penultimate representation (e.g. for feature matching).
        self.features = nn.Sequential(*layers)
        self.head = maybe_spectral_norm(nn.Linear(width, 1), use_spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map samples (B, *shape) to raw logits (B,)."""
        h = self.features(x)  # (B, F)
        return self.head(h).squeeze(1)  # (B,)


def build_mlp_generator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The MLP generator for data of the given shape (also the 2014 paper's ReLU G)."""
    return MLPGenerator(cfg.z_dim, list(cfg.g_hidden), check_shape(shape), cfg.g_out,
                        batch_norm=cfg.g_norm == "batch")


def build_mlp_discriminator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The MLP discriminator for data of the given shape."""
    return MLPDiscriminator(check_shape(shape), list(cfg.d_hidden), cfg.dropout, cfg.spectral_norm)
