import itertools

import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import kid, mmd2_unbiased


def direct_mmd2(x, y):
    """The unbiased estimator written out pair by pair."""
    d = x.shape[1]
    k = lambda a, b: (float(a @ b) / d + 1) ** 3
    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(m), 2)) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(n), 2)) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_one_full_subset_matches_the_direct_formula():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(6, 3, generator=g, dtype=torch.float64), torch.randn(6, 3, generator=g, dtype=torch.float64) + 0.5
    mean, std_error = kid(x, y, subsets=1, subset_size=6, generator=g)
    assert mean == pytest.approx(direct_mmd2(x, y), rel=1e-12) and std_error == 0.0


def test_estimator_is_unbiased_on_tiny_samples():
    # The biased (V-statistic) version is visibly positive at n = 5; the unbiased one averages to 0.
    g = torch.Generator().manual_seed(1)
    values = torch.tensor([mmd2_unbiased(torch.randn(5, 2, generator=g, dtype=torch.float64),
                                         torch.randn(5, 2, generator=g, dtype=torch.float64)) for _ in range(4000)])
    assert abs(values.mean()) < 4 * values.std() / len(values) ** 0.5


def test_same_distribution_is_near_zero_and_a_shift_is_clearly_positive():
    g = torch.Generator().manual_seed(2)
    # Subsets share one finite pool, whose own error the std error does not see; a pool 20x
    # the subset size keeps that small (|mean| / std_error stayed under 2.3 over 40 seeds).
    real, fake = torch.randn(2000, 8, generator=g), torch.randn(2000, 8, generator=g)
    mean, std_error = kid(real, fake, subsets=50, subset_size=100, generator=g)
    assert abs(mean) < 4 * std_error
    shifted, shifted_error = kid(real, fake + 0.5, subsets=50, subset_size=100, generator=g)
    assert shifted > 20 * shifted_error and shifted > 20 * abs(mean)


def test_subset_size_is_capped_and_width_checked():
    g = torch.Generator().manual_seed(3)
    mean, _ = kid(torch.randn(10, 2, generator=g), torch.randn(12, 2, generator=g), subsets=3, subset_size=1000, generator=g)
    assert mean == mean  # finite: subsets of 10 were drawn rather than failing
    with pytest.raises(GankitError):
        kid(torch.zeros(10, 2), torch.zeros(10, 3))
