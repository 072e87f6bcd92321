import json
import math

import numpy as np
import torch
from torch import nn

from gankit.losses.adversarial import bce_d_loss, wasserstein_d_loss
from gankit.reproduce import reproduce
from gankit.reproduce.wgan_loss import held_out_d_loss, rank_correlation
from tests.reproduce.tables import assert_tables_render


class _Linear(nn.Module):
    """f(x) = w . x, a linear critic."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(w)

    def forward(self, x):
        return x @ self.w


class _Shift(nn.Module):
    """G(z) = z + shift, with a batch norm whose running statistics must stay untouched."""

    def __init__(self, shift):
        super().__init__()
        self.shift, self.norm = shift, nn.BatchNorm1d(len(shift), affine=False)

    def forward(self, z):
        self.norm(z)  # updates running stats in training mode; output unused
        return z + self.shift


def test_w_estimate_of_a_linear_critic_is_w_dot_the_mean_gap():
    w, mu_real, mu_fake = torch.tensor([1.0, -2.0]), torch.tensor([3.0, 1.0]), torch.tensor([0.5, 2.0])
    gen = torch.Generator().manual_seed(0)
    real = [mu_real + torch.randn(4000, 2, generator=gen) for _ in range(3)]
    z = [torch.randn(4000, 2, generator=gen) for _ in range(3)]
    D, G = _Linear(w), _Shift(mu_fake)
    w_estimate = -held_out_d_loss(D, G, real, z, wasserstein_d_loss)
    assert abs(w_estimate - float(w @ (mu_real - mu_fake))) < 0.1  # 4.5, within sampling error
    assert torch.equal(G.norm.running_mean, torch.zeros(2)) and G.training  # the originals are untouched
    exact = -held_out_d_loss(D, G, [mu_real.expand(8, 2)], [torch.zeros(8, 2)], wasserstein_d_loss)
    assert abs(exact - 4.5) < 1e-6


def test_held_out_bce_loss_of_an_undecided_d_is_2_log_2():
    D = _Linear(torch.zeros(2))  # logit 0 everywhere: D(x) = 1/2
    loss = held_out_d_loss(D, _Shift(torch.zeros(2)), [torch.ones(5, 2)], [torch.ones(5, 2)], bce_d_loss)
    assert abs(loss - 2 * math.log(2)) < 1e-6


def test_rank_correlation_of_monotone_sequences_and_constants():
    steps = np.arange(6.0)
    assert rank_correlation(steps, np.exp(steps))[0] == 1.0
    assert rank_correlation(steps, -steps ** 3)[0] == -1.0
    assert math.isnan(rank_correlation(steps, np.ones(6))[0])


def test_tiny_wgan_loss_writes_report_figure_and_finite_results(tmp_path):
    from PIL import Image
    report = reproduce("wgan-meaningful-loss", out=tmp_path, scale="tiny")
    text = (report.out_dir / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert "Sign convention" in text and "loss_and_fid.png" in text
    with Image.open(report.out_dir / "loss_and_fid.png") as image:
        assert image.size[0] > 400
    results = json.loads((report.out_dir / "results.json").read_text())["results"]
    for key in ("WGAN-GP", "non-saturating_DCGAN"):
        assert results[f"{key}.step"] == [1, 3, 4]
        assert all(math.isfinite(v) and v > 0 for v in results[f"{key}.fid"])
        assert all(math.isfinite(v) for v in results[f"{key}.held_out"] + results[f"{key}.train"])
        assert -1.0 <= results[f"{key}.spearman_rho"] <= 1.0
    assert all(v > 0 for v in results["non-saturating_DCGAN.held_out"])  # a BCE loss is positive
    assert len(report.summary) == 2
