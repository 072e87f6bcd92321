"""pix2pix's U-Net generator (Isola et al. 2017), for any square resolution.

Encoder: 4x4 stride-2 convs C64 (no norm) - C128 - C256 - C512 - C512 ...,
each after a LeakyReLU(0.2) (the first sees raw pixels), the innermost without
norm as in the reference code (a norm on a 1x1 map of batch 1 would zero it).
Decoder: ReLU, 4x4 stride-2 transposed conv, norm, each output concatenated
with the encoder feature of the same size; the last one maps to the image
through tanh. Dropout (the generator's only noise) follows the first three
decoder blocks counted from the bottleneck, as the paper's CD512-CD1024-CD1024
decoder has it (the reference code puts it one block further out).

Depth: halve until the bottleneck is 1x1 (256 px -> 8 levels, 32 -> 5). A size
that is not a power of two is padded by reflection up to the next multiple of
2**depth inside forward and the output cropped back: 28 px becomes 32 (2 px a
side), 5 levels down to 1x1. We chose that over stopping at 7x7 (28 = 7 * 4:
only 2 levels, a bottleneck that sees a 10 px window) and over odd-size
arithmetic (7 -> 3 -> 6 cannot be undone by 4x4 stride-2 transposed convs).
Reflection rather than zeros, so that the border carries image statistics and
the generator learns no frame. `depth` overrides the count.

Convs carry a bias only where no norm follows: a norm's mean subtraction
cancels it (the reference code keeps one before instance norm, to no effect).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import dcgan_init
from gankit.models.layers import check_image_norm, image_norm

DROPOUT_BLOCKS = 3  # decoder blocks nearest the bottleneck that drop out (pix2pix)


def unet_depth(resolution: int, depth: int | None = None) -> int:
    """Number of stride-2 levels: depth if given, else log2 of resolution rounded up (bottleneck 1x1)."""
    resolution = int(resolution)
    if resolution < 2:
        raise GankitError(f"the U-Net needs images of at least 2 px, got {resolution}.")
    deepest = (resolution - 1).bit_length()  # ceil(log2(resolution))
    if depth is None:
        return deepest
    if not 1 <= int(depth) <= deepest:
        raise GankitError(f"a U-Net on {resolution} px images takes depth 1 to {deepest} (bottleneck 1x1), "
                          f"got {depth}.")
    return int(depth)


def reflect_padding(size: int, multiple: int) -> tuple[int, int]:
    """(before, after): the reflection padding that takes size up to the next multiple of `multiple`."""
    extra = -size % multiple
    if extra >= size:
        raise GankitError(f"cannot pad {size} px up to {size + extra} px by reflection; "
                          f"give the U-Net images of at least {multiple // 2 + 1} px or a smaller depth.")
    return extra // 2, extra - extra // 2


class UNetGenerator(nn.Module):
    """pix2pix's U-Net: image (B, in_channels, H, W) -> image (B, out_channels, H, W) in [-1, 1].

    Widths double from `width` up to `max_width`; `norm` is batch | instance |
    none. Dropout is active in train mode, and in eval mode too when
    `dropout_at_eval` (pix2pix samples at test time with it on).
    """

    def __init__(self, in_channels: int, out_channels: int, resolution: int, width: int = 64,
                 max_width: int = 512, dropout: float = 0.5, depth: int | None = None, norm: str = "batch",
                 dropout_at_eval: bool = False):
        super().__init__()
        check_image_norm(norm)
        self.resolution = int(resolution)
        self.depth = unet_depth(self.resolution, depth)
        self.dropout = float(dropout)
        self.dropout_at_eval = bool(dropout_at_eval)
        self.dropout_blocks = min(DROPOUT_BLOCKS, self.depth - 1)
        widths = [min(width * 2**i, max_width) for i in range(self.depth)]
        self.down = nn.ModuleList(_down_block(in_channels if i == 0 else widths[i - 1], widths[i], i, self.depth,
                                              norm) for i in range(self.depth))
        # Decoder from the bottleneck outwards; every block but the innermost
        # reads its skip concatenated to the block below (twice the width).
        self.up = nn.ModuleList(_up_block(widths[i] * (1 if i == self.depth - 1 else 2), widths[i - 1], norm)
                                for i in range(self.depth - 1, 0, -1))
        outer_in = widths[0] * (1 if self.depth == 1 else 2)
        self.out = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(outer_in, out_channels, 4, 2, 1), nn.Tanh())
        self.apply(dcgan_init)  # pix2pix's init_type normal: N(0, 0.02), BatchNorm scales N(1, 0.02)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Translate images (B, in_channels, H, W) to (B, out_channels, H, W)."""
        in_h, in_w = x.shape[-2:]
        top, bottom = reflect_padding(in_h, 2**self.depth)
        left, right = reflect_padding(in_w, 2**self.depth)
        h = F.pad(x, (left, right, top, bottom), mode="reflect") if top + bottom + left + right else x  # (B, C, H', W')
        skips = []
        for block in self.down:
            h = block(h)  # (B, width_i, H' / 2**(i+1), W' / 2**(i+1))
            skips.append(h)
        h = skips.pop()  # the bottleneck (B, width_inner, H' / 2**depth, W' / 2**depth)
        noisy = self.training or self.dropout_at_eval
        for j, block in enumerate(self.up):
            h = block(h)  # (B, width_{i-1}, twice the side)
            if j < self.dropout_blocks:
                h = F.dropout(h, self.dropout, noisy)
            h = torch.cat([skips.pop(), h], dim=1)  # (B, 2 * width_{i-1}, same side)
        h = self.out(h)  # (B, out_channels, H', W')
        return h[:, :, top:top + in_h, left:left + in_w]  # (B, out_channels, H, W)


def _down_block(in_ch: int, out_ch: int, level: int, depth: int, norm: str) -> nn.Sequential:
    """One encoder level: [LeakyReLU(0.2)], 4x4 stride-2 conv, [norm]; no norm on the outermost and innermost."""
    normed = norm if 0 < level < depth - 1 else "none"
    conv = nn.Conv2d(in_ch, out_ch, 4, 2, 1, bias=normed == "none")
    if level == 0:
        return nn.Sequential(conv)
    return nn.Sequential(nn.LeakyReLU(0.2), conv, image_norm(normed, out_ch))


def _up_block(in_ch: int, out_ch: int, norm: str) -> nn.Sequential:
    """One decoder level: ReLU, 4x4 stride-2 transposed conv, norm."""
    return nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=norm == "none"),
                         image_norm(norm, out_ch))
