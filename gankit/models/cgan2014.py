"""The MNIST networks of Mirza and Osindero 2014, "Conditional Generative Adversarial Nets".

G: z -> 200 ReLU and y -> 1000 ReLU, joined -> 1200 ReLU -> image (sigmoid).
D: x -> maxout 240 x 5 pieces and y -> maxout 50 x 5, joined -> maxout 240 x 4
-> one logit. Dropout 0.5 on the hidden layers of both. The sizes come from the
config (``g_hidden: [200, 1000, 1200]``, ``d_hidden: [240, 50, 240]``,
``maxout_pieces: 5``, ``dropout: 0.5``, ``g_dropout: 0.5``); the joint maxout
layer has one piece fewer than the towers, as in the paper.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import check_shape, maybe_spectral_norm, output_activation, prod
from gankit.models.maxout import Maxout


def _three(sizes, key: str, example: str) -> list[int]:
    if len(sizes) != 3:
        raise GankitError(f"the cgan2014 networks need model.{key} with three sizes (data tower, label tower, "
                          f"joint layer), e.g. {example}; got {list(sizes)}.")
    return [int(s) for s in sizes]


class CGAN2014Generator(nn.Module):
    """Two ReLU towers (noise, label) joined by a ReLU layer, then the output layer."""

    def __init__(self, z_dim: int, num_classes: int, hidden: list[int], shape: tuple[int, ...],
                 g_out: str = "sigmoid", dropout: float = 0.0):
        super().__init__()
        self.num_classes, self.shape = int(num_classes), check_shape(shape)
        z_units, y_units, joint = hidden
        self.z_tower = nn.Linear(z_dim, z_units)
        self.y_tower = nn.Linear(self.num_classes, y_units)
        self.joint = nn.Linear(z_units + y_units, joint)
        self.out = nn.Linear(joint, prod(self.shape))
        self.out_act = output_activation(g_out)
        self.dropout = nn.Dropout(dropout)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Samples (B, *shape) for noise (B, z_dim) and labels (B,)."""
        code = F.one_hot(y, self.num_classes).to(z.dtype)  # (B, K)
        h = torch.cat([F.relu(self.z_tower(z)), F.relu(self.y_tower(code))], dim=1)  # (B, z_units + y_units)
        h = self.dropout(F.relu(self.joint(self.dropout(h))))  # (B, joint)
        return self.out_act(self.out(h)).view(z.shape[0], *self.shape)


class CGAN2014Discriminator(nn.Module):
    """Two maxout towers (data, label) joined by a maxout layer, then one logit."""

    def __init__(self, shape: tuple[int, ...], num_classes: int, hidden: list[int], pieces: int = 5,
                 dropout: float = 0.0, input_dropout: float = 0.0, use_spectral_norm: bool = False):
        super().__init__()
        self.num_classes, self.shape = int(num_classes), check_shape(shape)
        x_units, y_units, joint = hidden
        self.x_tower = Maxout(prod(self.shape), x_units, pieces)
        self.y_tower = Maxout(self.num_classes, y_units, pieces)
        self.joint = Maxout(x_units + y_units, joint, max(1, pieces - 1))
        for unit in (self.x_tower, self.y_tower, self.joint):
            unit.linear = maybe_spectral_norm(unit.linear, use_spectral_norm)
        self.head = maybe_spectral_norm(nn.Linear(joint, 1), use_spectral_norm)
        self.input_dropout, self.dropout = nn.Dropout(input_dropout), nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, None]:
        """(logits (B,), None) for inputs (B, *shape) and labels (B,)."""
        code = F.one_hot(y, self.num_classes).to(x.dtype)  # (B, K)
        h = torch.cat([self.x_tower(self.input_dropout(x.flatten(1))), self.y_tower(code)], dim=1)
        h = self.dropout(self.joint(self.dropout(h)))  # (B, joint)
        return self.head(h).squeeze(1), None


def build_cgan2014_generator(cfg, shape: tuple[int, ...], num_classes: int) -> nn.Module:
    """The paper's generator; model.g_hidden = [noise tower, label tower, joint layer]."""
    hidden = _three(cfg.g_hidden, "g_hidden", "[200, 1000, 1200]")
    return CGAN2014Generator(cfg.z_dim, num_classes, hidden, shape, cfg.g_out, cfg.g_dropout)


def build_cgan2014_discriminator(cfg, shape: tuple[int, ...], num_classes: int) -> nn.Module:
    """The paper's discriminator; model.d_hidden = [data tower, label tower, joint layer]."""
    hidden = _three(cfg.d_hidden, "d_hidden", "[240, 50, 240]")
    return CGAN2014Discriminator(shape, num_classes, hidden, cfg.maxout_pieces, cfg.dropout, cfg.input_dropout,
                                 cfg.spectral_norm)
