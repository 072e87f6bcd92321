"""Metrics of predicted frames against the true future: per-frame MSE, PSNR, SSIM, sharpness, and the fork's branches.

Sequences are float tensors (N, T, C, H, W) in [-1, 1] (gankit's range); every metric
is computed in float64 on the [0, 1] scale the literature uses.

- per_frame_mse: the Moving MNIST benchmark convention (ConvLSTM, Shi et al. 2015;
  PredRNN, Wang et al. 2017): the SUM over a frame's pixels of the squared error,
  averaged over sequences, one number per future frame index (so a 64x64 frame that is
  wrong by 0.1 everywhere scores 40.96, not 0.01).
- per_frame_psnr / per_frame_ssim: gankit.metrics.translation's PSNR (mean over images
  of 10 log10(1 / MSE), capped at PSNR_CAP_DB) and SSIM (Wang et al. 2004) on each
  future frame index's (N, C, H, W).
- sharpness: the mean image-gradient magnitude |dx| + |dy| of the predictions (higher
  is sharper; a blur lowers it).
- sharpness_difference: Mathieu, Couprie & LeCun 2016 ("Deep multi-scale video
  prediction beyond mean square error", ICLR, section 4): for a true frame Y and a
  prediction Y',
      Sharp. diff. = 10 log10( max^2 / ( 1/N sum_ij |(grad_i Y + grad_j Y) - (grad_i Y' + grad_j Y')| ) )
  with grad_i Y = |Y[i, j] - Y[i-1, j]| and grad_j Y = |Y[i, j] - Y[i, j-1]|: the gradient
  magnitudes are summed per image first, and it is the difference of those sums that is
  compared (a prediction is scored on how sharp it is where the truth is, not on the sign
  of its edges). max is the largest intensity, 1 on [0, 1]; the sum runs over the
  pixels with both an upper and a left neighbour (i, j >= 1) and every channel, and N
  counts them. Like PSNR it is in dB, higher is better, computed per frame of each
  sequence, capped at SHARPNESS_CAP_DB (identical gradients would give infinity), then
  averaged over sequences (per_frame_sharpness_difference) and over frames
  (sharpness_difference).

The fork world (gankit.data.sequences, data.name=fork) has two true futures per past,
up and down, (N, 2, T, C, H, W). A prediction "shows one garment on one valid branch"
when it is closer (MSE over the whole future) to up or to down than to their average,
the blur a regression converges to. fork_scores counts such predictions and which
branch they took; branch_balance asks, over K noise draws per past, whether a
generator takes both branches about equally often.
"""

from __future__ import annotations

import torch

from gankit.metrics.translation import PSNR_CAP_DB, psnr, ssim

# Identical gradients make the sharpness difference infinite; like PSNR_CAP_DB, this cap says "identical".
SHARPNESS_CAP_DB = PSNR_CAP_DB


def _unit(x: torch.Tensor) -> torch.Tensor:
    """x in [-1, 1] as float64 on [0, 1], detached."""
    return (x.detach().double().clamp(-1, 1) + 1) / 2


def _check(pred: torch.Tensor, true: torch.Tensor) -> None:
    if pred.shape != true.shape or pred.dim() != 5:
        raise ValueError(f"predictions and true futures must be (N, T, C, H, W) of one shape, got "
                         f"{tuple(pred.shape)} and {tuple(true.shape)}")


def per_frame_mse(pred: torch.Tensor, true: torch.Tensor) -> list[float]:
    """Per future frame: the sum over the frame's pixels (and channels) of the squared error, mean over sequences."""
    _check(pred, true)
    per_frame = (_unit(pred) - _unit(true)).pow(2).flatten(2).sum(2)  # (N, T)
    return per_frame.mean(0).tolist()


def per_frame_psnr(pred: torch.Tensor, true: torch.Tensor) -> list[float]:
    """Per future frame: the mean PSNR in dB over sequences (gankit.metrics.translation.psnr)."""
    _check(pred, true)
    return [psnr(pred[:, t], true[:, t]) for t in range(pred.shape[1])]


def per_frame_ssim(pred: torch.Tensor, true: torch.Tensor) -> list[float]:
    """Per future frame: the mean SSIM over sequences (gankit.metrics.translation.ssim)."""
    _check(pred, true)
    return [ssim(pred[:, t], true[:, t]) for t in range(pred.shape[1])]


def gradient_sum(x: torch.Tensor) -> torch.Tensor:
    """|x[i, j] - x[i-1, j]| + |x[i, j] - x[i, j-1]| for i, j >= 1: (..., H, W) -> (..., H-1, W-1)."""
    here = x[..., 1:, 1:]
    return (here - x[..., :-1, 1:]).abs() + (here - x[..., 1:, :-1]).abs()


def sharpness(pred: torch.Tensor) -> float:
    """The mean of |dx| + |dy| over pixels, channels, frames and sequences, on [0, 1] (any (..., H, W))."""
    return float(gradient_sum(_unit(pred)).mean())


def per_frame_sharpness_difference(pred: torch.Tensor, true: torch.Tensor) -> list[float]:
    """Per future frame: Mathieu et al. 2016's sharpness difference in dB (max = 1), mean over sequences."""
    _check(pred, true)
    gap = (gradient_sum(_unit(true)) - gradient_sum(_unit(pred))).abs().flatten(2).mean(2)  # (N, T)
    db = torch.where(gap > 0, 10 * torch.log10(1 / gap.clamp_min(1e-300)), torch.tensor(SHARPNESS_CAP_DB))
    return db.clamp(max=SHARPNESS_CAP_DB).mean(0).tolist()


def sharpness_difference(pred: torch.Tensor, true: torch.Tensor) -> float:
    """Mathieu et al. 2016's sharpness difference in dB, averaged over sequences and then over frames."""
    per_frame = per_frame_sharpness_difference(pred, true)
    return sum(per_frame) / len(per_frame)


def _check_futures(pred: torch.Tensor, futures: torch.Tensor) -> None:
    if futures.dim() != 6 or futures.shape[1] != 2 or pred.shape != futures[:, 0].shape:
        raise ValueError(f"predictions (N, T, C, H, W) need both futures (N, 2, T, C, H, W), got "
                         f"{tuple(pred.shape)} and {tuple(futures.shape)}")
    if pred.shape[0] == 0:
        raise ValueError("fork scores need at least one prediction")


def _branches(pred: torch.Tensor, futures: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(shows one garment (N,) bool, closer to up than to down (N,) bool) of predictions (N, T, C, H, W).

    d = MSE over the whole future on [0, 1]; one garment: min(d_up, d_down) < d_avg, d_avg to (up + down) / 2.
    """
    p, up, down = _unit(pred).flatten(1), _unit(futures[:, 0]).flatten(1), _unit(futures[:, 1]).flatten(1)
    d_up, d_down = (p - up).pow(2).mean(1), (p - down).pow(2).mean(1)
    d_avg = (p - (up + down) / 2).pow(2).mean(1)
    return torch.minimum(d_up, d_down) < d_avg, d_up < d_down


def fork_scores(pred: torch.Tensor, futures: torch.Tensor) -> dict:
    """Predictions (N, T, C, H, W) against both futures (N, 2, T, C, H, W), [up, down].

    {"one_garment_share": the share of predictions nearer a true future than the two futures' average,
    "branch_up_share": among those, the share nearer up (nan when there are none), "n": N}.
    """
    _check_futures(pred, futures)
    one, up = _branches(pred, futures)
    chosen = int(one.sum())
    return {"one_garment_share": float(one.double().mean()),
            "branch_up_share": float(up[one].double().mean()) if chosen else float("nan"), "n": pred.shape[0]}


def branch_balance(pred_draws: torch.Tensor, futures: torch.Tensor) -> dict:
    """K noise draws per past (N, K, T, C, H, W) against the pasts' futures (N, 2, T, C, H, W), [up, down].

    For each past, the share of its draws that take up among its draws that show one garment (see
    fork_scores); pasts with no such draw are skipped. Returns {"branch_balance": the mean of that share
    over the counted pasts (1: always up, 0: always down, 0.5: balanced on average; nan when no past
    counts), "draws_differ_share": the share of ALL N pasts whose one-garment draws include both branches
    (0: the generator ignores its noise; with K draws of a fair coin, 1 - 2^(1-K) expected),
    "one_garment_share": the share of all N x K draws that show one garment, "pasts_counted", "n", "k"}.

    branch_balance alone cannot tell balanced draws from a generator that sends half the pasts up and half
    down whatever its noise: read it with draws_differ_share.
    """
    if pred_draws.dim() != 6 or pred_draws.shape[0] != futures.shape[0] or pred_draws.shape[1] == 0:
        raise ValueError(f"draws must be (N, K >= 1, T, C, H, W) for the N pasts of futures {tuple(futures.shape)}, "
                         f"got {tuple(pred_draws.shape)}")
    n, k = pred_draws.shape[:2]
    per_draw = [_branches_checked(pred_draws[:, j], futures) for j in range(k)]
    one = torch.stack([o for o, _ in per_draw], dim=1)                  # (N, K)
    up = torch.stack([u for _, u in per_draw], dim=1) & one             # (N, K)
    counted, ups = one.sum(1), up.sum(1)                                # (N,)
    keep = counted > 0
    share = ups[keep].double() / counted[keep].double()
    return {"branch_balance": float(share.mean()) if bool(keep.any()) else float("nan"),
            "draws_differ_share": float(((ups > 0) & (ups < counted)).double().mean()),
            "one_garment_share": float(one.double().mean()), "pasts_counted": int(keep.sum()), "n": n, "k": k}


def _branches_checked(pred: torch.Tensor, futures: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    _check_futures(pred, futures)
    return _branches(pred, futures)
