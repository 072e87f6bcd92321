"""The PatchGAN discriminator of pix2pix and CycleGAN (the reference code's NLayerDiscriminator).

C64 (no norm) stride 2, n_layers - 1 more 4x4 stride-2 convs doubling the
width (up to max_width), a 4x4 stride-1 conv with norm, and a 4x4 stride-1
conv to one channel, all with padding 1 and LeakyReLU(0.2) between. Each
output logit judges one patch of the input: 16 px for 1 layer, 34 for 2, 70
for 3 (`receptive_field`, computed from the same layer plan the network is
built from). n_layers = 0 is the PixelGAN: 1x1 convs, one logit per pixel.

Small images: a PatchGAN must return a map of at least 2x2 patches, else it
is a whole-image D with a receptive field wider than the image. 28 px gives
12x12 (1 layer), 5x5 (2), 1x1 (3): 3 layers are refused at 28 px, with a
sentence naming the largest n_layers that fits (`max_patch_layers`); 32 px
allows 3 (2x2), 16 px only 1. The check runs in forward, since the network
itself does not fix the input size.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import dcgan_init
from gankit.models.layers import check_image_norm, image_norm

MIN_PATCHES = 2  # the smallest output map, per side, that still judges patches


class ConvSpec(NamedTuple):
    """One conv of the PatchGAN: output channels, kernel, stride, padding, and whether a norm follows."""

    out_channels: int
    kernel: int
    stride: int
    padding: int
    normed: bool


def patch_layer_plan(n_layers: int, width: int = 64, max_width: int = 512) -> list[ConvSpec]:
    """The PatchGAN's convs, input to logits, for n_layers >= 0 (0: the 1x1 PixelGAN)."""
    n_layers = int(n_layers)
    if n_layers < 0:
        raise GankitError(f"a PatchGAN takes n_layers >= 0 (0 is the 1x1 PixelGAN), got {n_layers}.")
    if n_layers == 0:
        return [ConvSpec(width, 1, 1, 0, False), ConvSpec(min(2 * width, max_width), 1, 1, 0, True),
                ConvSpec(1, 1, 1, 0, False)]
    plan = [ConvSpec(width, 4, 2, 1, False)]
    plan += [ConvSpec(min(width * 2**i, max_width), 4, 2, 1, True) for i in range(1, n_layers)]
    return plan + [ConvSpec(min(width * 2**n_layers, max_width), 4, 1, 1, True), ConvSpec(1, 4, 1, 1, False)]


def receptive_field(n_layers: int) -> int:
    """Side in pixels of the input patch that one output logit of an n_layers PatchGAN sees."""
    field = 1
    for spec in reversed(patch_layer_plan(n_layers)):
        field = (field - 1) * spec.stride + spec.kernel
    return field


def patch_output_size(size: int, n_layers: int) -> int:
    """Side of the logit map an n_layers PatchGAN returns for inputs of side size (<= 0: too small to run)."""
    for spec in patch_layer_plan(n_layers):
        if size < 1:
            return size
        size = (size + 2 * spec.padding - spec.kernel) // spec.stride + 1
    return size


def max_patch_layers(size: int) -> int:
    """The largest n_layers whose logit map on size-px inputs is at least 2x2 (0 when only the PixelGAN fits)."""
    n = 0
    while patch_output_size(size, n + 1) >= MIN_PATCHES:
        n += 1
    return n


class PatchDiscriminator(nn.Module):
    """image (B, in_channels, H, W) -> patch logits (B, 1, h, w); `norm` is batch | instance | none.

    For pix2pix in_channels counts cat(input, output); convs before a norm have
    no bias (it would cancel).
    """

    def __init__(self, in_channels: int, width: int = 64, n_layers: int = 3, norm: str = "batch",
                 max_width: int = 512):
        super().__init__()
        check_image_norm(norm)
        self.n_layers = int(n_layers)
        plan = patch_layer_plan(self.n_layers, width, max_width)
        layers: list[nn.Module] = []
        ch = in_channels
        for spec in plan[:-1]:
            normed = norm if spec.normed else "none"
            layers += [nn.Conv2d(ch, spec.out_channels, spec.kernel, spec.stride, spec.padding,
                                 bias=normed == "none"),
                       image_norm(normed, spec.out_channels), nn.LeakyReLU(0.2)]
            ch = spec.out_channels
        last = plan[-1]
        layers.append(nn.Conv2d(ch, last.out_channels, last.kernel, last.stride, last.padding))
        self.body = nn.Sequential(*layers)
        self.apply(dcgan_init)  # the reference's init_type normal: N(0, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Patch logits (B, 1, h, w) for images (B, in_channels, H, W); refuses inputs under 2x2 patches."""
        size = min(x.shape[-2:])
        if patch_output_size(size, self.n_layers) < MIN_PATCHES:
            raise GankitError(
                f"a PatchGAN with n_layers={self.n_layers} returns under {MIN_PATCHES}x{MIN_PATCHES} patches for "
                f"{x.shape[-2]}x{x.shape[-1]} inputs; use n_layers <= {max_patch_layers(size)} for {size} px images.")
        return self.body(x)  # (B, 1, h, w)
