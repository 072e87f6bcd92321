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


def test_a_sample_is_high_quality_within_three_std_and_not_beyond():
    std = 0.05
    modes = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
    inside = torch.tensor([[2.9 * std, 0.0]])                    # 2.9 std from mode 0
    outside = torch.tensor([[0.0, 3.1 * std]])                   # 3.1 std from mode 0
    diagonal = torch.tensor([[2.0 + 2.0 * std, 2.1 * std]])       # sqrt(2^2 + 2.1^2) = 2.9 std from mode 1
    got = mode_coverage(torch.cat([inside, outside, diagonal]), modes, std=std, sigmas=3.0, min_count=1)
    assert got["counts"] == [1, 1] and got["modes_reached"] == 2
    assert abs(got["high_quality_share"] - 2 / 3) < 1e-12
    only_outside = mode_coverage(outside, modes, std=std, sigmas=3.0, min_count=1)
    assert only_outside["modes_reached"] == 0 and only_outside["high_quality_share"] == 0.0
