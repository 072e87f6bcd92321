"""Super-resolution metrics: PSNR / SSIM with BasicSR's border crop, and the posterior-sampling signature."""

import math

import pytest
import torch

from gankit.metrics.super_resolution import crop_border, posterior_ratio, restoration


def test_crop_border_drops_scale_pixels_on_every_side():
    x = torch.arange(36.0).view(1, 1, 6, 6)
    assert torch.equal(crop_border(x, 2), x[..., 2:4, 2:4]) and crop_border(x, 0) is x


def test_psnr_is_computed_inside_the_border_only():
    truth = torch.zeros(1, 1, 8, 8)
    out = truth.clone()
    out[..., :2, :] = 1.0                      # wrong, but only in the border of 2 px
    out[..., 2:6, 2:6] = 0.2                   # [0, 1] scale: 0.6 vs 0.5, an error of 0.1 everywhere inside
    scores = restoration(out, truth, scale=2)
    assert scores["psnr"] == pytest.approx(10 * math.log10(1 / 0.1**2))  # 20 dB


def test_ssim_of_identical_images_is_one_and_falls_with_noise():
    truth = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert restoration(truth, truth, 4)["ssim"] == pytest.approx(1.0)
    noisy = (truth + 0.3 * torch.randn(truth.shape, generator=torch.Generator().manual_seed(1))).clamp(-1, 1)
    assert restoration(noisy, truth, 4)["ssim"] < 0.9


def test_the_posterior_ratio_is_zero_for_one_answer_and_one_for_posterior_samples():
    g = torch.Generator().manual_seed(0)
    centre = torch.rand(2000, 1, 4, 4, generator=g) * 0.5 - 0.25
    draw = lambda: (centre + 0.2 * torch.randn(centre.shape, generator=g))  # noqa: E731  p(truth | input)
    truth, a, b = draw(), draw(), draw()
    assert posterior_ratio(a, b, truth) == pytest.approx(1.0, abs=0.03)
    assert posterior_ratio(centre, centre, truth) == 0.0
    half = centre + 0.5 * (a - centre)  # outputs that vary, but less than the truth does
    assert 0.1 < posterior_ratio(half, centre + 0.5 * (b - centre), truth) < 0.6


def test_psnr_and_ssim_agree_with_scikit_image_where_it_is_installed():
    metrics = pytest.importorskip("skimage.metrics")
    g = torch.Generator().manual_seed(0)
    truth = torch.rand(1, 1, 32, 32, generator=g) * 2 - 1
    out = (truth + 0.2 * torch.randn(truth.shape, generator=g)).clamp(-1, 1)
    a, b = ((v[0, 0].double().numpy() + 1) / 2 for v in (crop_border(out, 4), crop_border(truth, 4)))
    scores = restoration(out, truth, 4)
    assert scores["psnr"] == pytest.approx(metrics.peak_signal_noise_ratio(b, a, data_range=1))
    expected = metrics.structural_similarity(b, a, data_range=1, gaussian_weights=True, sigma=1.5,
                                             use_sample_covariance=False)
    assert scores["ssim"] == pytest.approx(expected, rel=1e-9)  # scikit-image also averages the valid windows only
