"""L1, PSNR and SSIM of translations against ground truth."""

import math

import pytest
import torch

from gankit.metrics.translation import PSNR_CAP_DB, gaussian_window, l1_distance, pixel_metrics, psnr, ssim


def images(seed, n=4, c=1, size=16):
    return torch.rand(n, c, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def test_identical_images_score_perfectly():
    x = images(0)
    assert pixel_metrics(x, x) == {"l1": 0.0, "psnr": PSNR_CAP_DB, "ssim": pytest.approx(1.0)}


def test_l1_and_psnr_by_hand_on_the_unit_scale():
    x = torch.full((2, 1, 4, 4), -1.0)      # 0 on the [0, 1] scale
    y = torch.full((2, 1, 4, 4), 0.0)       # 0.5
    assert l1_distance(x, y) == pytest.approx(0.5)
    assert psnr(x, y) == pytest.approx(10 * math.log10(1 / 0.25))  # 6.02 dB


def test_ssim_by_hand_for_constant_images():
    # constant windows: variances and covariance vanish, SSIM = (2 mu_a mu_b + c1) / (mu_a^2 + mu_b^2 + c1)
    a, b = 0.2, 0.6
    x, y = torch.full((1, 1, 12, 12), 2 * a - 1), torch.full((1, 1, 12, 12), 2 * b - 1)
    c1 = 0.01 ** 2
    assert ssim(x, y) == pytest.approx((2 * a * b + c1) / (a * a + b * b + c1), rel=1e-6)  # the inputs are float32


def test_ssim_falls_as_noise_grows_and_the_window_is_a_normalised_gaussian():
    x = images(1)
    noisy = [ssim(x, (x + s * images(2)).clamp(-1, 1)) for s in (0.05, 0.2, 0.8)]
    assert 1 > noisy[0] > noisy[1] > noisy[2]
    w = gaussian_window(11)
    assert w.sum().item() == pytest.approx(1.0) and w[5, 5] == w.max() and torch.allclose(w, w.T)


def test_ssim_works_below_the_window_size_and_on_colour():
    x = images(3, c=3, size=8)
    assert ssim(x, x) == pytest.approx(1.0) and ssim(x, -x) < 0.5


def test_shapes_must_match():
    with pytest.raises(ValueError, match="one shape"):
        psnr(images(0, size=8), images(0, size=16))
