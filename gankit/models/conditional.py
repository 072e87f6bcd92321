"""Class-conditional networks: how the label y reaches G and D (`conditional.cond`).

- concat (Mirza and Osindero 2014): G(z, y) = G(cat(z, onehot(y))); D sees the
  one-hot label beside its input: as K constant channels for convolutional
  nets, appended to the flattened input for fully connected ones.
- projection (Miyato and Koyama 2018): D(x, y) = psi(phi(x)) + embed(y) . phi(x),
  phi being D's penultimate features (flattened, not pooled, in gankit's small
  DCGAN); G has class-conditional BatchNorm (the DCGAN generator; the fully
  connected generators have no BatchNorm, so they take the label by concat).
- acgan (Odena et al. 2017): D has a source head and a K-way class head on the
  same features and never sees y; G takes the label by concat.

Every conditional G is called G(z, y) and every conditional D returns
(source logit (B,), class logits (B, K) or None) from D(x, y).
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError
from gankit.models.cgan2014 import build_cgan2014_discriminator, build_cgan2014_generator
from gankit.models.dcgan import DCGANGenerator, dcgan_init, generator_width
from gankit.models.layers import maybe_spectral_norm
from gankit.models.stylegan2 import build_style_generator

CONDITIONINGS = ("concat", "projection", "acgan")
CONVOLUTIONAL = ("dcgan", "stylegan2")  # networks whose input keeps its (C, H, W) layout

# Networks written for labels from the start (built as they are, whatever conditional.cond says): StyleGAN2's G
# takes its label into the mapping network (its D is conditioned as conditional.cond says).
CONDITIONAL_GENERATORS = {"cgan2014": build_cgan2014_generator, "stylegan2": build_style_generator}
CONDITIONAL_DISCRIMINATORS = {"cgan2014": build_cgan2014_discriminator}


def one_hot(y: torch.Tensor, num_classes: int, like: torch.Tensor) -> torch.Tensor:
    """Labels (B,) as one-hot rows (B, K) of like's dtype and device."""
    return F.one_hot(y, num_classes).to(dtype=like.dtype)


class ConcatGenerator(nn.Module):
    """G(z, y) = base(cat(z, onehot(y))), base built for z_dim + K inputs."""

    def __init__(self, base: nn.Module, num_classes: int):
        super().__init__()
        self.base, self.num_classes = base, int(num_classes)

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Samples (B, ...) for noise (B, z_dim) and labels (B,)."""
        return self.base(torch.cat([z, one_hot(y, self.num_classes, z)], dim=1))  # (B, ...)


class LabelledGenerator(nn.Module):
    """A generator that takes the label itself (the conditional-BatchNorm DCGAN)."""

    def __init__(self, base: nn.Module):
        super().__init__()
        self.base = base

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Samples (B, ...) for noise (B, z_dim) and labels (B,)."""
        return self.base(z, y)


class ConcatDiscriminator(nn.Module):
    """D(x, y) = base(x with onehot(y) as K extra channels, or appended to the flattened x)."""

    def __init__(self, base: nn.Module, num_classes: int, as_channels: bool):
        super().__init__()
        self.base, self.num_classes, self.as_channels = base, int(num_classes), bool(as_channels)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, None]:
        """(source logits (B,), None) for inputs (B, ...) and labels (B,)."""
        code = one_hot(y, self.num_classes, x)  # (B, K)
        if self.as_channels:
            maps = code[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])  # (B, K, H, W)
            return self.base(torch.cat([x, maps], dim=1)), None
        return self.base(torch.cat([x.flatten(1), code], dim=1)), None


class ProjectionDiscriminator(nn.Module):
    """D(x, y) = head(phi(x)) + embed(y) . phi(x) on the base D's features phi (Miyato and Koyama 2018)."""

    def __init__(self, base: nn.Module, num_classes: int, use_spectral_norm: bool):
        super().__init__()
        self.base = base
        self.embed = nn.Embedding(num_classes, _feature_dim(base))
        nn.init.normal_(self.embed.weight, 0.0, 0.02)
        self.embed = maybe_spectral_norm(self.embed, use_spectral_norm)

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, None]:
        """(logits (B,), None) for inputs (B, ...) and labels (B,)."""
        phi = self.base.features(x)  # (B, F)
        return self.base.head(phi).squeeze(1) + (self.embed(y) * phi).sum(dim=1), None


class ACGANDiscriminator(nn.Module):
    """The base D's source head and a K-way class head on the same features (Odena et al. 2017)."""

    def __init__(self, base: nn.Module, num_classes: int, use_spectral_norm: bool):
        super().__init__()
        self.base = base
        classes = nn.Linear(_feature_dim(base), num_classes)
        dcgan_init(classes)
        self.classes = maybe_spectral_norm(classes, use_spectral_norm)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(source logits (B,), class logits (B, K)); the label is not an input."""
        phi = self.base.features(x)  # (B, F)
        return self.base.head(phi).squeeze(1), self.classes(phi)


def _feature_dim(base: nn.Module) -> int:
    return int(base.head.in_features)


def build_conditional_generator(cfg, shape: tuple[int, ...], num_classes: int, generators: dict,
                                name: str, cond: str) -> nn.Module:
    """A generator G(z, y) for the conditioning `cond`, from a network written for labels or an unconditional builder."""
    if name in CONDITIONAL_GENERATORS:
        return CONDITIONAL_GENERATORS[name](cfg, shape, num_classes)
    if cond == "projection" and name == "dcgan":
        return LabelledGenerator(DCGANGenerator(cfg.z_dim, shape, generator_width(cfg), cfg.g_out, num_classes))
    base = generators[name](dataclasses.replace(cfg, z_dim=cfg.z_dim + num_classes), shape)
    return ConcatGenerator(base, num_classes)


def build_conditional_discriminator(cfg, shape: tuple[int, ...], num_classes: int, discriminators: dict,
                                    name: str, cond: str) -> nn.Module:
    """A discriminator D(x, y) -> (source, class logits or None) for the conditioning `cond`."""
    if name in CONDITIONAL_DISCRIMINATORS:
        if cond != "concat":
            raise GankitError(f"the {name} discriminator takes its label by concatenation; set conditional.cond=concat.")
        return CONDITIONAL_DISCRIMINATORS[name](cfg, shape, num_classes)
    if cond == "concat":
        if name in CONVOLUTIONAL:
            base = discriminators[name](cfg, (shape[0] + num_classes,) + tuple(shape[1:]))
            return ConcatDiscriminator(base, num_classes, as_channels=True)
        flat = 1
        for s in shape:
            flat *= int(s)
        return ConcatDiscriminator(discriminators[name](cfg, (flat + num_classes,)), num_classes, as_channels=False)
    base = discriminators[name](cfg, shape)
    wrapper = ProjectionDiscriminator if cond == "projection" else ACGANDiscriminator
    return wrapper(base, num_classes, cfg.spectral_norm)
