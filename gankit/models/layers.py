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


# Norms of the image-to-image translation networks (pix2pix, CycleGAN).
IMAGE_NORMS = ("batch", "instance", "none")


def check_image_norm(kind: str) -> str:
    """Return kind if it names a translation-network norm (batch | instance | none), else raise GankitError."""
    if kind not in IMAGE_NORMS:
        raise GankitError(f"unknown norm {kind!r}; use one of: {', '.join(IMAGE_NORMS)}.")
    return kind


def image_norm(kind: str, channels: int) -> nn.Module:
    """BatchNorm2d, InstanceNorm2d without affine or running statistics, or nothing.

    The instance norm is the pix2pix/CycleGAN code's (affine=False): every
    sample is normalised by its own statistics in train and eval mode alike.
    """
    if check_image_norm(kind) == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)
    return nn.Identity()


def check_divisible(x: torch.Tensor, factor: int, net: str, smallest: int = 1) -> None:
    """Raise GankitError unless x's (B, C, H, W) height and width are multiples of factor and >= smallest * factor."""
    h, w = x.shape[-2:]
    if h % factor or w % factor or min(h, w) < smallest * factor:
        raise GankitError(f"the {net} halves its input {factor.bit_length() - 1} times and restores it, so its "
                          f"height and width must be multiples of {factor} and at least {smallest * factor}, "
                          f"got {h}x{w}; resize the images or use fewer downsampling steps.")


class ResidualBlock(nn.Module):
    """x + (conv3x3, norm, ReLU, conv3x3, norm)(x): the bottleneck block of CycleGAN's and StarGAN's generators.

    reflect pads by reflection (CycleGAN), else the convs zero-pad (StarGAN);
    make_norm(channels) builds each norm.
    """

    def __init__(self, channels: int, make_norm, reflect: bool, bias: bool):
        super().__init__()
        layers: list[nn.Module] = []
        for last in (False, True):
            if reflect:
                layers.append(nn.ReflectionPad2d(1))
            layers += [nn.Conv2d(channels, channels, 3, 1, 0 if reflect else 1, bias=bias), make_norm(channels)]
            if not last:
                layers.append(nn.ReLU())
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Add the block's residual to x (B, C, H, W)."""
        return x + self.body(x)  # (B, C, H, W)
