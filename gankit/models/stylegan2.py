"""StyleGAN2's style-based generator and residual discriminator (Karras et al. 2020), scaled to small images.

G: a mapping network z -> w (model.mapping_layers fully connected layers with learning-rate multiplier
model.mapping_lr, z normalised first; a class label enters as an embedding beside z, as stylegan2-ada-pytorch
conditions), a learned constant at the smallest size (4 to 7 px: 7 for 28 px images, 4 for 32, 64, 128),
modulated convolutions with noise inputs that double the size up to the image, and skip-connection RGB
outputs summed across sizes. G tracks the mean w (w_avg, beta 0.995) for truncation. D: an RGB input layer,
residual blocks that halve the size, the minibatch standard deviation, a 3x3 convolution and two fully
connected layers. Channels: model.g_width / model.width at the image's size, doubling per halving, at most 8x.
What differs from the reference: sizes change by bilinear upsampling and 2x2 averaging instead of its FIR
filters, which keeps the networks cheap on a CPU.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import generator_width
from gankit.models.layers import output_activation
from gankit.models.style_layers import (EqualConv2d, EqualLinear, ModulatedConv2d, NoiseInput, lrelu,
                                        minibatch_stddev)

W_AVG_BETA = 0.995


def style_plan(size: int) -> tuple[int, int]:
    """(the constant's size, the number of doublings) for images of `size` px: halved while above 7."""
    start, doublings = size, 0
    while start > 7 and start % 2 == 0:
        start, doublings = start // 2, doublings + 1
    if not 4 <= start <= 7:
        raise GankitError(f"model stylegan2 builds images whose side halves down to 4-7 px (28, 32, 64, 128, ...); "
                          f"{size} px does not, so set data.resolution to such a size.")
    return start, doublings


def channels_at(width: int, image: int, size: int) -> int:
    """Channels at `size` px: width at the image's size, doubling per halving, at most 8 x width."""
    return min(width * (image // size), width * 8)


class MappingNetwork(nn.Module):
    """z (B, z_dim) [and labels (B,)] -> w (B, w_dim); tracks the mean w in training mode."""

    def __init__(self, z_dim: int, w_dim: int, layers: int, lr_mul: float, num_classes: int = 0):
        super().__init__()
        self.embed = EqualLinear(num_classes, w_dim) if num_classes else None
        features = z_dim + (w_dim if num_classes else 0)
        self.net = nn.Sequential(*[EqualLinear(features if i == 0 else w_dim, w_dim, lr_mul=lr_mul, activate=True)
                                   for i in range(layers)])
        self.num_classes = num_classes
        self.register_buffer("w_avg", torch.zeros(w_dim))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, track: bool = True) -> torch.Tensor:
        x = _normalise(z.float())
        if self.embed is not None:
            code = self.embed(F.one_hot(y, self.num_classes).float())
            x = torch.cat([x, _normalise(code)], dim=1)
        w = self.net(x)
        if self.training and track:
            with torch.no_grad():
                self.w_avg.copy_(w.detach().float().mean(0).lerp(self.w_avg, W_AVG_BETA))
        return w


def _normalise(x: torch.Tensor) -> torch.Tensor:
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + 1e-8)


class StyleLayer(nn.Module):
    """Modulated convolution, noise, bias, leaky ReLU."""

    def __init__(self, in_channels: int, out_channels: int, w_dim: int, size: int, up: bool = False):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, 3, w_dim, up=up)
        self.noise = NoiseInput((size, size))
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        x = self.noise(self.conv(x, w))
        return lrelu(x + self.bias[None, :, None, None].to(x.dtype))


class ToRGB(nn.Module):
    """A modulated 1x1 convolution to the image's channels, not demodulated, plus a bias."""

    def __init__(self, in_channels: int, channels: int, w_dim: int):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, channels, 1, w_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None].to(x.dtype)


class StyleGenerator(nn.Module):
    """G(z[, y], mix=None, psi=1.0) -> images (B, C, H, W).

    `mix` = (second noise z2 (B, z_dim), uniforms (B, 2)): style-mixing regularisation, where an image mixes
    when its first uniform is below `mixing_prob` and then takes z2's w from the layer its second uniform picks
    (1 .. num_ws - 1) on. `psi` < 1 (a number, or one per image) truncates w toward the tracked mean w.
    """

    truncates = True  # truncation acts on w (gankit.objectives.gan), not on z

    def __init__(self, z_dim: int, shape: tuple[int, ...], width: int, g_out: str, mapping_layers: int,
                 mapping_lr: float, mixing_prob: float, num_classes: int = 0):
        super().__init__()
        channels, size = shape[0], shape[1]
        start, doublings = style_plan(size)
        self.mapping = MappingNetwork(z_dim, z_dim, mapping_layers, mapping_lr, num_classes)
        self.mixing_prob, self.num_classes = mixing_prob, num_classes
        sizes = [start * 2 ** i for i in range(doublings + 1)]
        ch = [channels_at(width, size, s) for s in sizes]
        self.const = nn.Parameter(torch.randn(ch[0], start, start))
        self.first = StyleLayer(ch[0], ch[0], z_dim, start)
        self.ups = nn.ModuleList(StyleLayer(ch[i - 1], ch[i], z_dim, sizes[i], up=True) for i in range(1, len(sizes)))
        self.convs = nn.ModuleList(StyleLayer(ch[i], ch[i], z_dim, sizes[i]) for i in range(1, len(sizes)))
        self.to_rgb = nn.ModuleList(ToRGB(c, channels, z_dim) for c in ch)
        self.out = output_activation(g_out)
        self.num_ws = 2 + 2 * doublings  # one w per convolution, and the last RGB output's
        self.register_buffer("pl_mean", torch.zeros(()))  # path-length regularisation's running mean

    def styles(self, z: torch.Tensor, y: torch.Tensor | None = None, mix=None, psi=None, z_end=None, at=None,
               switch=None) -> torch.Tensor:
        """The per-layer styles ws (B, num_ws, w_dim) of noise z (with mixing and truncation as asked). With
        z_end: w moved to at (B,) of the way toward z_end's (a walk in w), or z_end's w from layer switch (B,) on."""
        w = self.mapping(z, y)
        if z_end is not None and at is not None:
            w = torch.lerp(w, self.mapping(z_end, y, track=False), at[:, None].to(w.dtype))
        ws = w[:, None].expand(-1, self.num_ws, -1)
        if z_end is not None and switch is not None:
            layer = torch.arange(self.num_ws, device=z.device)
            ws = torch.where((layer[None] >= switch[:, None])[:, :, None],
                             self.mapping(z_end, y, track=False)[:, None], ws)
        if mix is not None:
            z2, u = mix
            w2 = self.mapping(z2, y, track=False)
            cutoff = torch.where(u[:, 0] < self.mixing_prob, 1 + (u[:, 1] * (self.num_ws - 1)).floor(),
                                 torch.full_like(u[:, 0], self.num_ws))  # (B,): the first layer of z2's w
            layer = torch.arange(self.num_ws, device=z.device)
            ws = torch.where((layer[None] >= cutoff[:, None])[:, :, None], w2[:, None], ws)
        if isinstance(psi, torch.Tensor):  # one psi per image
            ws = self.mapping.w_avg.to(ws.dtype).lerp(ws, psi.to(ws.dtype)[:, None, None])
        elif psi is not None and psi != 1.0:
            ws = self.mapping.w_avg.to(ws.dtype).lerp(ws, float(psi))
        return ws

    def synthesis(self, ws: torch.Tensor) -> torch.Tensor:
        """Images from per-layer styles ws (B, num_ws, w_dim)."""
        x = self.const[None].expand(ws.shape[0], -1, -1, -1).to(ws.dtype)
        x = self.first(x, ws[:, 0])
        image = self.to_rgb[0](x, ws[:, 1])
        for i, (up, conv) in enumerate(zip(self.ups, self.convs)):
            x = conv(up(x, ws[:, 1 + 2 * i]), ws[:, 2 + 2 * i])
            skip = F.interpolate(image, scale_factor=2, mode="bilinear", align_corners=False)
            image = skip + self.to_rgb[i + 1](x, ws[:, 3 + 2 * i])
        return self.out(image)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, mix=None, psi=None, z_end=None, at=None,
                switch=None) -> torch.Tensor:
        return self.synthesis(self.styles(z, y, mix, psi, z_end, at, switch))


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions, the second halving the size, beside a 1x1 skip that halves it too; summed / sqrt 2."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.conv0 = EqualConv2d(in_channels, in_channels, 3)
        self.conv1 = EqualConv2d(in_channels, out_channels, 3, down=True)
        self.skip = EqualConv2d(in_channels, out_channels, 1, bias=False, activate=False, down=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.skip(x) + self.conv1(self.conv0(x))) * math.sqrt(0.5)


class StyleDiscriminator(nn.Module):
    """StyleGAN2's residual D: logits (B,); `features` and `head` for the projection and AC-GAN wrappers."""

    def __init__(self, shape: tuple[int, ...], width: int, mbstd_group: int = 4):
        super().__init__()
        channels, size = shape[0], shape[1]
        self.mbstd_group = mbstd_group
        start, doublings = style_plan(size)
        sizes = [size // 2 ** i for i in range(doublings + 1)]  # the image's size down to the start
        ch = [channels_at(width, size, s) for s in sizes]
        self.from_rgb = EqualConv2d(channels, ch[0], 1)
        self.blocks = nn.Sequential(*[ResidualBlock(ch[i], ch[i + 1]) for i in range(doublings)])
        self.conv = EqualConv2d(ch[-1] + 1, ch[-1], 3)
        self.fc = EqualLinear(ch[-1] * start * start, ch[-1], activate=True)
        self.head = EqualLinear(ch[-1], 1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.blocks(self.from_rgb(x))
        return self.fc(self.conv(minibatch_stddev(x, self.mbstd_group)).flatten(1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)


def _check(shape: tuple[int, ...]) -> None:
    if len(shape) != 3 or shape[1] != shape[2]:
        raise GankitError(f"model stylegan2 needs square images (C, H, W), not data of shape {tuple(shape)}; "
                          "train it on images (data.resolution makes them square).")


def build_style_generator(cfg, shape: tuple[int, ...], num_classes: int = 0) -> StyleGenerator:
    """StyleGAN2's G for images of shape (C, H, H) (and labels of num_classes classes)."""
    _check(shape)
    return StyleGenerator(cfg.z_dim, shape, generator_width(cfg), cfg.g_out, cfg.mapping_layers, cfg.mapping_lr,
                          cfg.style_mixing, num_classes)


def build_style_discriminator(cfg, shape: tuple[int, ...]) -> StyleDiscriminator:
    """StyleGAN2's residual D for images of shape (C, H, H) (model.d_width, or model.width when 0), its minibatch
    standard deviation over groups of model.mbstd_group images."""
    _check(shape)
    return StyleDiscriminator(shape, cfg.d_width or cfg.width, cfg.mbstd_group)
