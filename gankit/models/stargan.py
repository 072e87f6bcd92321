"""StarGAN's generator and discriminator (Choi et al. 2018, the reference code's model.py).

G(x, c): the target-domain vector c (B, K) is tiled over H x W and
concatenated to the image; conv7 - IN - ReLU, two 4x4 stride-2 convs doubling
the width, n residual blocks, two 4x4 stride-2 transposed convs, conv7 - tanh.
Instance norm with a learned scale and shift (affine=True) as the reference
code has it, but without its running statistics (track_running_stats=False):
with them, eval mode normalises each image by averages over other images,
which turned a StarGAN whose training-mode translations were sound into noise
at sampling time (seen at step 227 on footwear; the reference never switches
to eval mode, so it never meets this). Zero padding, no conv biases; PyTorch's
default initialisation (the reference applies none).

D(x) -> (source (B, 1, h, w), class logits (B, K)): n_layers 4x4 stride-2
convs from width, doubling up to max_width, LeakyReLU(0.01), no norm; a 3x3
stride-1 source head (a PatchGAN) and a class head whose kernel spans the
remaining map. Each layer maps a side s to floor(s / 2), so n layers leave
resolution >> n.

Depth of D at small sizes: n_layers=None picks the deepest trunk whose last
map is still at least 2x2, which is the reference's 6 layers (128 -> 2) for
128 px and log2(resolution) - 1 for every power of two (32 -> 4 layers,
2x2). 28 px gets 3 layers, 28 -> 14 -> 7 -> 3, a 3x3 map (the 4x4 stride-2 conv
on 7 px still reads all 7 rows); we do not pad 28 to 32, since the class
head's kernel simply spans whatever map remains. An explicit n_layers may go
down to a 1x1 map; deeper is refused.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import ResidualBlock, check_divisible


def stargan_norm(channels: int) -> nn.Module:
    """Instance norm with a learned scale and shift, always on each image's own statistics (also in eval mode)."""
    return nn.InstanceNorm2d(channels, affine=True, track_running_stats=False)


class StarGANGenerator(nn.Module):
    """G(x (B, channels, H, W), c (B, num_domains)) -> image (B, channels, H, W) in [-1, 1].

    c is float: one-hot rows for exclusive domains, 0/1 for attributes.
    """

    def __init__(self, channels: int, num_domains: int, width: int = 64, n_blocks: int = 6,
                 n_downsampling: int = 2):
        super().__init__()
        self.num_domains = int(num_domains)
        self.n_downsampling = int(n_downsampling)
        layers: list[nn.Module] = [nn.Conv2d(channels + self.num_domains, width, 7, 1, 3, bias=False),
                                   stargan_norm(width), nn.ReLU()]
        ch = width
        for _ in range(self.n_downsampling):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), stargan_norm(ch * 2), nn.ReLU()]
            ch *= 2
        layers += [ResidualBlock(ch, stargan_norm, reflect=False, bias=False) for _ in range(int(n_blocks))]
        for _ in range(self.n_downsampling):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), stargan_norm(ch // 2), nn.ReLU()]
            ch //= 2
        layers += [nn.Conv2d(ch, channels, 7, 1, 3, bias=False), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """Translate images x (B, channels, H, W) to the domains c (B, num_domains)."""
        check_divisible(x, 2**self.n_downsampling, "StarGAN generator")
        maps = c.to(x.dtype)[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])  # (B, K, H, W)
        return self.body(torch.cat([x, maps], dim=1))  # (B, channels, H, W)


def stargan_d_layers(resolution: int, n_layers: int | None = None) -> int:
    """n_layers if its last map is at least 1x1 (else GankitError); None: the deepest with a map >= 2x2."""
    resolution = int(resolution)
    if n_layers is None:
        n = 1
        while resolution >> (n + 1) >= 2:
            n += 1
        return n
    deepest = max(resolution.bit_length() - 1, 1)  # floor(log2(resolution)): last map 1x1
    if not 1 <= int(n_layers) <= deepest:
        raise GankitError(f"a StarGAN discriminator on {resolution} px images takes n_layers 1 to {deepest} "
                          f"(its last map must stay at least 1x1), got {n_layers}.")
    return int(n_layers)


class StarGANDiscriminator(nn.Module):
    """D(x (B, channels, resolution, resolution)) -> (source logits (B, 1, h, w), class logits (B, num_domains))."""

    def __init__(self, channels: int, resolution: int, num_domains: int, width: int = 64,
                 n_layers: int | None = None, max_width: int = 2048):
        super().__init__()
        self.resolution = int(resolution)
        if self.resolution < 2:
            raise GankitError(f"a StarGAN discriminator needs images of at least 2 px, got {resolution}.")
        self.n_layers = stargan_d_layers(self.resolution, n_layers)
        layers: list[nn.Module] = []
        ch = channels
        for i in range(self.n_layers):
            out = min(width * 2**i, max_width)
            layers += [nn.Conv2d(ch, out, 4, 2, 1), nn.LeakyReLU(0.01)]
            ch = out
        self.trunk = nn.Sequential(*layers)
        self.source = nn.Conv2d(ch, 1, 3, 1, 1, bias=False)
        self.classes = nn.Conv2d(ch, num_domains, self.resolution >> self.n_layers, bias=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(source logits (B, 1, h, w), domain logits (B, num_domains)) for images (B, C, resolution, resolution)."""
        if tuple(x.shape[-2:]) != (self.resolution, self.resolution):
            raise GankitError(f"this StarGAN discriminator was built for {self.resolution}x{self.resolution} "
                              f"images, got {x.shape[-2]}x{x.shape[-1]}; build it for the data's resolution.")
        h = self.trunk(x)  # (B, C_last, s, s)
        return self.source(h), self.classes(h).flatten(1)  # (B, 1, s, s), (B, K)
