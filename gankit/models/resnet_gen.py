"""CycleGAN's ResNet generator (Zhu et al. 2017, after Johnson et al. 2016).

c7s1-64, d128, d256, n residual blocks of 256, u128, u64, c7s1-out, tanh:
6 blocks for 128 px images, 9 for 256 in the paper. Every conv pads by
reflection, the stride-2 ones included (the reference code zero-pads those;
same sizes, same parameters, no zero border), and the norm is the reference
code's instance norm without affine. Upsampling is the reference's 3x3
stride-2 transposed conv with output_padding 1, which exactly doubles any size,
so 28 px runs 28 -> 14 -> 7 -> 14 -> 28. Height and width must be multiples
of 2**n_downsampling, and at least twice that.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from gankit.models.dcgan import dcgan_init
from gankit.models.layers import ResidualBlock, check_divisible, check_image_norm, image_norm


class ResNetGenerator(nn.Module):
    """image (B, in_channels, H, W) -> image (B, out_channels, H, W) in [-1, 1], through residual blocks.

    Widths are width * 2**i for i = 0..n_downsampling; `norm` is instance
    (default) | batch | none. Convs before a norm have no bias (it would cancel).
    """

    def __init__(self, in_channels: int, out_channels: int, width: int = 64, n_blocks: int = 6,
                 n_downsampling: int = 2, norm: str = "instance"):
        super().__init__()
        check_image_norm(norm)
        self.n_downsampling = int(n_downsampling)
        bias = norm == "none"
        layers: list[nn.Module] = [nn.ReflectionPad2d(3), nn.Conv2d(in_channels, width, 7, bias=bias),
                                   image_norm(norm, width), nn.ReLU()]  # c7s1-64
        ch = width
        for _ in range(self.n_downsampling):  # d128, d256
            layers += [nn.ReflectionPad2d(1), nn.Conv2d(ch, ch * 2, 3, 2, bias=bias), image_norm(norm, ch * 2),
                       nn.ReLU()]
            ch *= 2
        make_norm = functools.partial(image_norm, norm)
        layers += [ResidualBlock(ch, make_norm, reflect=True, bias=bias) for _ in range(int(n_blocks))]
        for _ in range(self.n_downsampling):  # u128, u64
            layers += [nn.ConvTranspose2d(ch, ch // 2, 3, 2, 1, output_padding=1, bias=bias),
                       image_norm(norm, ch // 2), nn.ReLU()]
            ch //= 2
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ch, out_channels, 7), nn.Tanh()]  # c7s1-out
        self.body = nn.Sequential(*layers)
        self.apply(dcgan_init)  # CycleGAN's init_type normal: N(0, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate images (B, in_channels, H, W) to (B, out_channels, H, W)."""
        # The residual blocks reflect 1 px, so the bottleneck must be 2 px or more.
        check_divisible(x, 2**self.n_downsampling, "ResNet generator", smallest=2)
        return self.body(x)  # (B, out_channels, H, W)
