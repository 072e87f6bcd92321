import math

import numpy as np
import pytest
import scipy.stats
import torch

from gankit.metrics import kl_js_to_density, wasserstein1


def normal_density(mean, std):
    return lambda x: torch.exp(-0.5 * ((x[:, 0] - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))


def test_w1_matches_scipy():
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=137), rng.exponential(size=311)
    assert wasserstein1(u, v) == pytest.approx(scipy.stats.wasserstein_distance(u, v), rel=1e-12)


@pytest.mark.parametrize("c", [2.5, -0.75])
def test_w1_of_a_shift_is_the_shift(c):
    x = torch.randn(1000, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    assert wasserstein1(x, x + c) == pytest.approx(abs(c), rel=1e-10)


def test_samples_of_the_density_score_near_zero():
    x = torch.randn(200000, generator=torch.Generator().manual_seed(2))
    result = kl_js_to_density(x, normal_density(0.0, 1.0), -5.0, 5.0)
    # Histogram noise biases KL up by about (bins - 1) / (2 N) = 5e-4.
    assert result["kl"] < 0.005 and result["js"] < 0.002 and result["outside"] < 1e-5


def test_a_shifted_sample_scores_clearly_positive_and_js_stays_below_log2():
    x = torch.randn(200000, generator=torch.Generator().manual_seed(3))
    shifted = kl_js_to_density(x + 1.0, normal_density(0.0, 1.0), -6.0, 6.0)
    assert shifted["kl"] == pytest.approx(0.5, abs=0.05)  # KL(N(0,1) || N(1,1)) = 1/2
    assert 0.05 < shifted["js"] <= math.log(2)
    disjoint = kl_js_to_density(0.1 * x + 3.0, normal_density(-3.0, 0.1), -5.0, 5.0)
    assert math.log(2) - 1e-6 < disjoint["js"] <= math.log(2)
