import math

import pytest
import torch

from gankit.viz.toy import kde, plot_toy_1d, plot_toy_2d


def _density(x):
    return torch.exp(-0.5 * (x[:, 0] - 1.0) ** 2) / math.sqrt(2 * math.pi)


def test_toy_1d_full(tmp_path, png_checks):
    assert_png, assert_no_temp_files = png_checks
    torch.manual_seed(0)
    real = torch.randn(300, 1) + 1.0
    z = torch.rand(300) * 2 - 1
    discriminator = torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Sigmoid())
    path = plot_toy_1d(real, (0.5 * z).unsqueeze(1), tmp_path / "t" / "toy.png",
                       density=_density, d_fn=discriminator,
                       g_map=(z[:10], 0.5 * z[:10]), title="toy")
    assert assert_png(path) == (700, 500)
    assert_no_temp_files(path.parent)


def test_toy_1d_minimal_and_collapsed(tmp_path, png_checks):
    assert_png, _ = png_checks
    assert_png(plot_toy_1d(torch.randn(50), torch.zeros(50), tmp_path / "a.png"))
    assert_png(plot_toy_1d(torch.randn(1, 1), torch.ones(1, 1), tmp_path / "b.png",
                           density=_density, d_fn=lambda x: torch.sigmoid(x[:, 0])))


def test_toy_1d_rejects_bad_shapes(tmp_path):
    with pytest.raises(ValueError, match="real"):
        plot_toy_1d(torch.zeros(5, 2), torch.zeros(5), tmp_path / "x.png")
    with pytest.raises(ValueError, match="g_map"):
        plot_toy_1d(torch.zeros(5), torch.zeros(5), tmp_path / "x.png",
                    g_map=(torch.zeros(3), torch.zeros(4)))


def test_kde_integrates_to_one():
    import numpy as np

    grid = np.linspace(-6, 6, 2001)
    values = kde(np.random.default_rng(0).normal(size=500), grid, 12.0)
    assert abs(values.sum() * (grid[1] - grid[0]) - 1.0) < 0.01


def test_toy_2d(tmp_path, png_checks):
    assert_png, assert_no_temp_files = png_checks
    modes = torch.tensor([[0.0, 2.0], [2.0, 0.0], [-2.0, 0.0]])
    real = modes[torch.randint(0, 3, (200,))] + 0.1 * torch.randn(200, 2)
    path = plot_toy_2d(real, torch.randn(100, 2), tmp_path / "m" / "2d.png",
                       modes=modes, title="three modes")
    assert_png(path)
    assert_png(plot_toy_2d(real, torch.randn(1, 2), tmp_path / "plain.png"))
    assert_no_temp_files(path.parent)
    with pytest.raises(ValueError, match="fake"):
        plot_toy_2d(real, torch.randn(5, 3), tmp_path / "bad.png")
