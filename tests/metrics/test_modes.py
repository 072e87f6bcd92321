import torch

from gankit.metrics import mode_coverage

MODES = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])


def test_counts_modes_and_quality_on_constructed_samples():
    g = torch.Generator().manual_seed(0)
    near_two = torch.cat([MODES[0] + 0.1 * torch.randn(50, 2, generator=g),
                          MODES[1] + 0.1 * torch.randn(50, 2, generator=g)])
    far = torch.tensor([[5.0, 5.0]] * 25)
    result = mode_coverage(torch.cat([near_two, far]), MODES, std=0.1, sigmas=5.0)
    assert result["modes_reached"] == 2 and result["modes_total"] == 3
    assert abs(result["high_quality_share"] - 100 / 125) < 1e-9
    assert result["counts"][2] == 0


def test_min_count_ignores_stray_samples():
    samples = torch.cat([MODES[0].repeat(99, 1), MODES[2].unsqueeze(0)])
    assert mode_coverage(samples, MODES, std=0.1, min_count=2)["modes_reached"] == 1
    assert mode_coverage(samples, MODES, std=0.1, min_count=1)["modes_reached"] == 2
