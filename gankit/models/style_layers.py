"""The layers of StyleGAN2 (Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN").

- Equalized learning rate: weights are stored N(0, 1) (divided by the layer's learning-rate multiplier) and
  scaled at run time by lr_mul / sqrt(fan_in), so Adam's step is the same size for every layer; a bias is
  scaled by lr_mul.
- Modulated convolution: each input channel scaled by a style s = A(w), the weights then demodulated so that
  each output channel has unit expected variance for unit-variance inputs. It is computed as the reference's
  non-fused path: scale the input, one ordinary convolution, scale the output by the demodulation factors.
- Noise inputs: per-pixel Gaussian noise times a learned strength (initially 0). In training mode the noise is
  fresh from torch's global generator (part of a checkpoint, like dropout); in eval mode each layer uses one
  fixed noise image drawn when the network was built, so samples, metrics and exported models are repeatable.
- Minibatch standard deviation: one feature map of the standard deviation over groups of up to 4 consecutive
  images (consecutive, so that under torchrun each process's groups are those of one process's global batch).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

LRELU_GAIN = math.sqrt(2)


def lrelu(x: torch.Tensor) -> torch.Tensor:
    """Leaky ReLU (slope 0.2) times sqrt(2), which keeps unit variance."""
    return F.leaky_relu(x, 0.2) * LRELU_GAIN


class EqualLinear(nn.Module):
    """A fully connected layer with equalized learning rate and a learning-rate multiplier."""

    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_mul: float = 1.0,
                 activate: bool = False):
        super().__init__()
        self.in_features, self.out_features, self.lr_mul, self.activate = in_features, out_features, lr_mul, activate
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)))
        self.weight_gain = lr_mul / math.sqrt(in_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.linear(x, self.weight * self.weight_gain, self.bias * self.lr_mul)
        return lrelu(x) if self.activate else x


class EqualConv2d(nn.Module):
    """A convolution with equalized learning rate; `down` halves the size first (2x2 average)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, bias: bool = True, activate: bool = True,
                 down: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
        self.weight_gain = 1 / math.sqrt(in_channels * kernel * kernel)
        self.activate, self.down, self.padding = activate, down, kernel // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.down:
            x = F.avg_pool2d(x, 2)
        x = F.conv2d(x, self.weight * self.weight_gain, self.bias, padding=self.padding)
        return lrelu(x) if self.activate else x


class ModulatedConv2d(nn.Module):
    """A convolution whose input channels are scaled by the style A(w) and whose output is demodulated; `up`
    doubles the size first (bilinear)."""

    def __init__(self, in_channels: int, out_channels: int, kernel: int, w_dim: int, demodulate: bool = True,
                 up: bool = False):
        super().__init__()
        self.affine = EqualLinear(w_dim, in_channels, bias_init=1.0)  # styles start at 1
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel, kernel))
        self.weight_gain = 1 / math.sqrt(in_channels * kernel * kernel)
        self.demodulate, self.up, self.padding = demodulate, up, kernel // 2

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """x (B, in, H, W), w (B, w_dim) -> (B, out, H, W) (2H, 2W with `up`)."""
        styles = self.affine(w)  # (B, in)
        weight = self.weight * self.weight_gain
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = F.conv2d(x * styles[:, :, None, None].to(x.dtype), weight.to(x.dtype), padding=self.padding)
        if self.demodulate:  # 1 / sqrt(sum over inputs and taps of (w * s)^2), per image and output channel
            power = styles.float().square() @ weight.float().square().sum((2, 3)).t()  # (B, out)
            x = x * torch.rsqrt(power + 1e-8)[:, :, None, None].to(x.dtype)
        return x


class NoiseInput(nn.Module):
    """x + strength * noise: fresh noise in training mode, the layer's fixed noise image in eval mode."""

    def __init__(self, size: tuple[int, int]):
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(()))
        self.register_buffer("fixed", torch.randn(1, 1, *size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            noise = torch.randn(x.shape[0], 1, *x.shape[2:], device=x.device, dtype=x.dtype)
        else:
            noise = self.fixed.to(x.dtype)
        return x + noise * self.strength.to(x.dtype)


def minibatch_stddev(x: torch.Tensor, group: int = 4) -> torch.Tensor:
    """x (B, C, H, W) with one more channel: the mean standard deviation of each group of up to `group`
    consecutive images (the largest group size that divides B), the same for every image of the group."""
    b, c, h, w = x.shape
    g = max(d for d in range(1, min(group, b) + 1) if b % d == 0)
    y = x.float().reshape(-1, g, c, h, w)
    y = (y.var(dim=1, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (B / g,)
    y = y.repeat_interleave(g).view(b, 1, 1, 1).expand(b, 1, h, w)
    return torch.cat([x, y.to(x.dtype)], dim=1)
