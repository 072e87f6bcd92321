import numpy as np
import pytest
import scipy.linalg
import torch

from gankit.errors import GankitError
from gankit.metrics import fid_from_features, frechet_distance, gaussian_stats


def random_covariance(d, seed):
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(d, d, generator=g, dtype=torch.float64)
    return a @ a.T / d + 0.1 * torch.eye(d, dtype=torch.float64)


def test_diagonal_covariances_match_the_closed_form():
    mu1, mu2 = torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 1.0, -1.0])
    a, b = torch.tensor([1.0, 4.0, 0.25]), torch.tensor([9.0, 1.0, 0.25])
    expected = ((mu1 - mu2) ** 2).sum() + ((a.sqrt() - b.sqrt()) ** 2).sum()
    assert frechet_distance(mu1, torch.diag(a), mu2, torch.diag(b)) == pytest.approx(expected.item(), abs=1e-12)


def test_identical_statistics_give_zero():
    sigma = random_covariance(16, seed=0)
    mu = torch.randn(16, dtype=torch.float64)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-6


def test_matches_an_independent_scipy_sqrtm_computation():
    s1, s2 = random_covariance(10, seed=1).numpy(), random_covariance(10, seed=2).numpy()
    mu1, mu2 = np.arange(10.0), np.ones(10)
    root = scipy.linalg.sqrtm(s1 @ s2).real
    expected = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * root)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-9)


def test_symmetric_in_its_arguments():
    s1, s2 = random_covariance(8, seed=3), random_covariance(8, seed=4)
    mu1, mu2 = torch.zeros(8), torch.full((8,), 0.5)
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(frechet_distance(mu2, s2, mu1, s1), rel=1e-10)


def test_gaussian_stats_use_the_unbiased_covariance():
    x = torch.randn(50, 3, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    mu, sigma = gaussian_stats(x)
    assert torch.allclose(mu, x.mean(0)) and torch.allclose(sigma, torch.cov(x.T))


def test_fid_from_samples_of_one_gaussian_is_near_zero_and_a_shift_gives_its_square():
    g = torch.Generator().manual_seed(6)
    real, fake = torch.randn(20000, 4, generator=g), torch.randn(20000, 4, generator=g)
    # Finite-sample bias is about d(d+1)/(2N) ~ 5e-4 for these sizes; 0.01 leaves room for noise.
    assert fid_from_features(real, fake) < 0.01
    shift = torch.tensor([3.0, 0.0, -1.0, 0.0])
    # Exact when only the mean moves; with independent samples the mean term gains
    # 2 shift.(noise), std 2 sqrt(10 * 2 / 20000) ~ 0.06, so 0.25 is four of those.
    assert fid_from_features(real, real + shift) == pytest.approx(10.0, rel=1e-9)
    assert fid_from_features(real, fake + shift) == pytest.approx(10.0, abs=0.25)


def test_mismatched_shapes_are_a_user_error():
    with pytest.raises(GankitError):
        frechet_distance(torch.zeros(3), torch.eye(3), torch.zeros(4), torch.eye(4))
    with pytest.raises(GankitError):
        gaussian_stats(torch.zeros(1, 3))
