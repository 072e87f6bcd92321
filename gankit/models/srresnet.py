"""The super-resolution generator: SRResNet (Ledig et al. 2017) as ESRGAN and BasicSR's MSRResNet build it.

A 3x3 convolution to `width` channels, `blocks` residual blocks (conv-ReLU-conv plus the block's input,
without BatchNorm, which ESRGAN found to bring artefacts and to cost PSNR), a convolution whose output is
added to the first one's (the long skip), then sub-pixel upsampling (Shi et al. 2016): a convolution to
4x the channels and a PixelShuffle(2) per factor of 2 (9x and PixelShuffle(3) for 3), each followed by a
LeakyReLU(0.1), then two 3x3 convolutions back to the image's channels. As MSRResNet, the output is added
to the bilinear enlargement of the input, so the network learns the missing detail. The residual blocks'
weights start at Kaiming-normal x 0.1, as BasicSR's, which keeps the deep residual sum tame early on.

Noise: `noise_channels` maps of N(0, 1) noise (B, k, h, w) are stacked onto the input, so a GAN may
draw several answers for one input; with k = 0 the generator is a deterministic function of its input.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError

# Upsampling factors built of sub-pixel stages: the factor each stage multiplies by.
STAGES = {2: (2,), 3: (3,), 4: (2, 2), 8: (2, 2, 2)}


class ResidualBlock(nn.Module):
    """x + conv(ReLU(conv(x))): 3x3 convolutions, no normalisation."""

    def __init__(self, width: int):
        super().__init__()
        self.conv1 = nn.Conv2d(width, width, 3, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, padding=1)
        for conv in (self.conv1, self.conv2):
            nn.init.kaiming_normal_(conv.weight)
            conv.weight.data.mul_(0.1)
            nn.init.zeros_(conv.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.relu(self.conv1(x)))


class SRResNet(nn.Module):
    """G(x, z): images (B, C, h, w) in [-1, 1] and noise (B, k, h, w) -> (B, C, h*scale, w*scale)."""

    def __init__(self, channels: int, scale: int, width: int = 64, blocks: int = 16, noise_channels: int = 0):
        super().__init__()
        if scale not in STAGES:
            raise GankitError(f"the srresnet generator upsamples by {', '.join(map(str, STAGES))}, not {scale}; "
                              f"set data.scale to one of those.")
        self.channels, self.scale, self.noise_channels = int(channels), int(scale), int(noise_channels)
        self.head = nn.Conv2d(channels + noise_channels, width, 3, padding=1)
        self.body = nn.Sequential(*[ResidualBlock(width) for _ in range(blocks)])
        self.body_out = nn.Conv2d(width, width, 3, padding=1)
        up: list[nn.Module] = []
        for factor in STAGES[scale]:
            up += [nn.Conv2d(width, width * factor * factor, 3, padding=1), nn.PixelShuffle(factor),
                   nn.LeakyReLU(0.1)]
        self.upsample = nn.Sequential(*up)
        self.tail = nn.Sequential(nn.Conv2d(width, width, 3, padding=1), nn.LeakyReLU(0.1),
                                  nn.Conv2d(width, channels, 3, padding=1))

    def noise_shape(self, x: torch.Tensor) -> tuple[int, ...]:
        """The shape of the noise G takes beside inputs x: (B, k, h, w)."""
        return (x.shape[0], self.noise_channels, *x.shape[2:])

    def forward(self, x: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        if self.noise_channels:
            if z is None:
                raise ValueError(f"this generator takes noise (B, {self.noise_channels}, h, w) beside its input")
            x_in = torch.cat([x, z.to(x.dtype)], dim=1)
        else:
            x_in = x
        h = self.head(x_in)                     # (B, width, h, w)
        h = h + self.body_out(self.body(h))     # the long skip
        out = self.tail(self.upsample(h))       # (B, C, h*s, w*s)
        base = F.interpolate(x, scale_factor=self.scale, mode="bilinear", align_corners=False)
        return out + base

