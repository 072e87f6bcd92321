"""Next-frame metrics: per-frame MSE / PSNR / SSIM, sharpness, Mathieu et al.'s sharpness difference, fork scores."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.metrics.nextframe import (SHARPNESS_CAP_DB, branch_balance, fork_scores, gradient_sum, per_frame_mse,
                                      per_frame_psnr, per_frame_sharpness_difference, per_frame_ssim, sharpness,
                                      sharpness_difference)
from gankit.metrics.translation import PSNR_CAP_DB, psnr, ssim


def _sequences(seed: int, n: int = 3, t: int = 4, size: int = 12) -> torch.Tensor:
    """Random (n, t, 1, size, size) sequences in [-1, 1]."""
    return torch.rand(n, t, 1, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def _blur(x: torch.Tensor, width: int) -> torch.Tensor:
    """A width x width box blur of (N, T, C, H, W), same size (replicated edges)."""
    flat = x.flatten(0, 2).unsqueeze(1)  # (N T C, 1, H, W)
    padded = F.pad(flat, (width // 2, (width - 1) // 2, width // 2, (width - 1) // 2), mode="replicate")
    return F.avg_pool2d(padded, width, stride=1).reshape(x.shape)


def _squares(t: int = 3, size: int = 8) -> torch.Tensor:
    """Both futures (1, 2, t, 1, size, size) of a 2x2 white square leaving the centre: [up, down]."""
    futures = torch.full((1, 2, t, 1, size, size), -1.0)
    middle = size // 2 - 1
    for k in range(t):
        futures[0, 0, k, 0, middle - k - 1:middle - k + 1, middle:middle + 2] = 1
        futures[0, 1, k, 0, middle + k + 1:middle + k + 3, middle:middle + 2] = 1
    return futures


def test_per_frame_mse_is_the_per_frame_pixel_sum_averaged_over_sequences():
    true = torch.zeros(2, 3, 1, 4, 4)   # 0.5 on [0, 1]
    pred = true.clone()
    pred[0, 0] = -1.0                   # sequence 0, frame 0: 0 everywhere, 16 pixels off by 0.5
    pred[1, 0, 0, 0, 0] = 1.0           # sequence 1, frame 0: one pixel off by 0.5
    pred[:, 2] = 1.0                    # frame 2: every pixel of both off by 0.5
    assert per_frame_mse(pred, true) == pytest.approx([(16 * 0.25 + 0.25) / 2, 0.0, 16 * 0.25])


def test_per_frame_psnr_and_ssim_are_the_image_metrics_of_each_frame_index():
    true, pred = _sequences(0), _sequences(1)
    assert per_frame_psnr(true, true) == [PSNR_CAP_DB] * 4
    assert per_frame_ssim(true, true) == pytest.approx([1.0] * 4)
    assert per_frame_psnr(pred, true) == [psnr(pred[:, t], true[:, t]) for t in range(4)]
    assert per_frame_ssim(pred, true) == [ssim(pred[:, t], true[:, t]) for t in range(4)]
    with pytest.raises(ValueError):
        per_frame_mse(pred, true[:, :3])
    with pytest.raises(ValueError):
        per_frame_psnr(pred[0], true[0])


def test_sharpness_by_hand_and_a_blur_lowers_it():
    edge = torch.tensor([[-1.0, 1.0, 1.0]] * 3).view(1, 1, 1, 3, 3)  # 0 | 1 1 on [0, 1]
    # |dx| + |dy| at the pixels with an upper and a left neighbour: (1,1) 1, (1,2) 0, (2,1) 1, (2,2) 0.
    assert gradient_sum((edge + 1) / 2).flatten().tolist() == [1.0, 0.0, 1.0, 0.0]
    assert sharpness(edge) == pytest.approx(0.5)
    assert sharpness(torch.full((2, 3, 1, 5, 5), 0.3)) == 0.0
    x = _sequences(2)
    assert sharpness(x) > sharpness(_blur(x, 2)) > sharpness(_blur(x, 3))


def test_sharpness_difference_follows_mathieu_et_al():
    edge = torch.tensor([[-1.0, 1.0, 1.0]] * 3).view(1, 1, 1, 3, 3)
    flat = torch.zeros_like(edge)
    # gradient sums 1, 0, 1, 0 against 0: 1/N sum |.| = 0.5, so 10 log10(1 / 0.5) with max = 1.
    assert per_frame_sharpness_difference(flat, edge) == pytest.approx([10 * math.log10(2)])
    # The gradient MAGNITUDES are summed before they are compared: the mirrored edge (1 | 0) is as sharp.
    assert per_frame_sharpness_difference(-edge, edge) == [SHARPNESS_CAP_DB]
    true = _sequences(3)
    assert sharpness_difference(true, true) == SHARPNESS_CAP_DB == PSNR_CAP_DB
    blurred = [sharpness_difference(_blur(true, w), true) for w in (2, 3, 5)]
    assert SHARPNESS_CAP_DB > blurred[0] > blurred[1] > blurred[2] > 0
    per_frame = per_frame_sharpness_difference(_blur(true, 3), true)
    assert len(per_frame) == 4 and sum(per_frame) / 4 == pytest.approx(blurred[1])


def test_fork_scores_tell_one_garment_from_the_average():
    futures = _squares()
    up, down = futures[:, 0], futures[:, 1]
    assert fork_scores(up, futures) == {"one_garment_share": 1.0, "branch_up_share": 1.0, "n": 1}
    assert fork_scores(down, futures) == {"one_garment_share": 1.0, "branch_up_share": 0.0, "n": 1}
    average = fork_scores(futures.mean(1), futures)
    assert average["one_garment_share"] == 0.0 and math.isnan(average["branch_up_share"])
    many = futures.expand(5, -1, -1, -1, -1, -1)
    noisy_up = (up + 0.05 * _sequences(4, n=1, t=3, size=8)).clamp(-1, 1)
    pred = torch.cat([up, down, futures.mean(1), noisy_up, torch.full_like(up, -1.0)])
    scores = fork_scores(pred, many)
    # An empty frame is as far from one square as the average is: not one garment either.
    assert scores == {"one_garment_share": pytest.approx(3 / 5), "branch_up_share": pytest.approx(2 / 3), "n": 5}
    with pytest.raises(ValueError):
        fork_scores(up, futures[:, 0])


def test_branch_balance_of_constant_alternating_and_ignored_noise():
    futures = _squares().expand(4, -1, -1, -1, -1, -1)   # 4 pasts
    up, down, mean = futures[:, 0], futures[:, 1], futures.mean(1)
    draws = lambda *picks: torch.stack(picks, dim=1)    # noqa: E731  (N, K, T, C, H, W)
    all_up = branch_balance(draws(up, up, up, up), futures)
    assert all_up["branch_balance"] == 1.0 and all_up["draws_differ_share"] == 0.0
    assert all_up["one_garment_share"] == 1.0 and (all_up["pasts_counted"], all_up["n"], all_up["k"]) == (4, 4, 4)
    assert branch_balance(draws(down, down), futures)["branch_balance"] == 0.0
    alternating = branch_balance(draws(up, down, up, down), futures)
    assert alternating["branch_balance"] == 0.5 and alternating["draws_differ_share"] == 1.0
    # Half the pasts always up, half always down: balanced on average, yet the noise is ignored.
    ignored = torch.stack([up[:2], up[:2]], 1), torch.stack([down[2:], down[2:]], 1)
    ignored = branch_balance(torch.cat(ignored), futures)
    assert ignored["branch_balance"] == 0.5 and ignored["draws_differ_share"] == 0.0
    # Averages do not count: a past with up, up, mean is all up; a past of averages only is skipped.
    mixed = torch.stack([up, up, mean], 1)
    mixed[3] = mean[3]
    mixed = branch_balance(mixed, futures)
    assert mixed["branch_balance"] == 1.0 and mixed["pasts_counted"] == 3
    assert mixed["one_garment_share"] == pytest.approx(6 / 12) and mixed["draws_differ_share"] == 0.0
    blurry = branch_balance(draws(mean, mean), futures)
    assert math.isnan(blurry["branch_balance"]) and blurry["pasts_counted"] == 0 and blurry["draws_differ_share"] == 0
    with pytest.raises(ValueError):
        branch_balance(up, futures)
