"""Pixel metrics of image-to-image translation against ground truth: L1, PSNR and SSIM.

Images are float tensors (N, C, H, W) in [-1, 1] (gankit's range); every metric
is computed on the [0, 1] scale the literature uses and averaged over images.
SSIM is Wang et al. 2004's: an 11x11 Gaussian window (sigma 1.5; the window
shrinks to the image on smaller ones), K1 = 0.01, K2 = 0.03, data range 1,
valid (unpadded) windows, per channel, then averaged.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# PSNR of identical images is infinite; this cap keeps means finite (and says "identical").
PSNR_CAP_DB = 100.0


def _unit(x: torch.Tensor) -> torch.Tensor:
    return (x.detach().double().clamp(-1, 1) + 1) / 2  # (N, C, H, W) in [0, 1]


def _check(x: torch.Tensor, y: torch.Tensor) -> None:
    if x.shape != y.shape or x.dim() != 4:
        raise ValueError(f"translations and targets must be (N, C, H, W) of one shape, got {tuple(x.shape)} "
                         f"and {tuple(y.shape)}")


def l1_distance(x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean absolute difference on the [0, 1] scale."""
    _check(x, y)
    return float((_unit(x) - _unit(y)).abs().mean())


def psnr(x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean over images of 10 log10(1 / MSE) in dB (data range 1), each capped at PSNR_CAP_DB."""
    _check(x, y)
    mse = (_unit(x) - _unit(y)).pow(2).flatten(1).mean(1)  # (N,)
    per_image = torch.where(mse > 0, 10 * torch.log10(1 / mse.clamp_min(1e-300)), torch.tensor(PSNR_CAP_DB))
    return float(per_image.clamp(max=PSNR_CAP_DB).mean())


def gaussian_window(size: int, sigma: float = 1.5) -> torch.Tensor:
    """A normalised 2-D Gaussian (size, size), float64."""
    coords = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-coords.pow(2) / (2 * sigma**2))
    g = g / g.sum()
    return g[:, None] * g[None, :]


def ssim(x: torch.Tensor, y: torch.Tensor, window: int = 11, sigma: float = 1.5) -> float:
    """Mean structural similarity (Wang et al. 2004) over images and channels, in [-1, 1] (1: identical)."""
    _check(x, y)
    a, b = _unit(x), _unit(y)
    channels = a.shape[1]
    size = min(window, a.shape[-1], a.shape[-2])
    w = gaussian_window(size, sigma).expand(channels, 1, size, size).contiguous()
    blur = lambda t: F.conv2d(t, w, groups=channels)  # noqa: E731  valid windows
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a.pow(2)
    var_b = blur(b * b) - mu_b.pow(2)
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01**2, 0.03**2
    index = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a.pow(2) + mu_b.pow(2) + c1) * (var_a + var_b + c2))
    return float(index.mean())


def pixel_metrics(x: torch.Tensor, y: torch.Tensor, prefix: str = "") -> dict:
    """{l1, psnr, ssim} of translations x against their ground truth y, keys prefixed."""
    return {f"{prefix}l1": l1_distance(x, y), f"{prefix}psnr": psnr(x, y), f"{prefix}ssim": ssim(x, y)}
