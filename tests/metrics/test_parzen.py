import math

import numpy as np
import pytest
import torch

from gankit.metrics import parzen_log_likelihood, parzen_report, select_sigma


def gaussian_log_density(x):
    """log N(x; 0, I)."""
    return -0.5 * (x ** 2).sum(1) - x.shape[1] / 2 * math.log(2 * math.pi)


def test_one_sample_gives_the_gaussian_log_density():
    x = torch.tensor([[1.0, 2.0, -1.0], [0.0, 0.0, 0.5]], dtype=torch.float64)
    s, sigma = torch.tensor([[0.5, 1.0, 0.0]], dtype=torch.float64), 0.7
    expected = gaussian_log_density((x - s) / sigma) - 3 * math.log(sigma)
    assert torch.allclose(parzen_log_likelihood(s, x, sigma), expected, rtol=0, atol=1e-12)


def test_approaches_the_true_log_density_of_the_sampled_gaussian():
    g = torch.Generator().manual_seed(0)
    samples = torch.randn(40000, 2, generator=g, dtype=torch.float64)
    test = torch.randn(1000, 2, generator=g, dtype=torch.float64)
    estimate = parzen_log_likelihood(samples, test, sigma=0.15).mean().item()
    truth = gaussian_log_density(test).mean().item()
    # Comparing on the same test points removes their sampling noise. What is left: smoothing
    # (the KDE targets N(0, (1 + sigma^2) I), off by O(sigma^4) ~ 1e-4 on average) and the
    # KDE's own variance, which biases log p down by about 1 / (2 M p(x) 4 pi sigma^2):
    # ~1e-3 in the bulk, larger only for the few test points far in the tails.
    assert estimate == pytest.approx(truth, abs=0.03)


def test_batching_gives_the_same_numbers():
    g = torch.Generator().manual_seed(1)
    samples, test = torch.randn(500, 3, generator=g), torch.randn(97, 3, generator=g)
    whole = parzen_log_likelihood(samples, test, 0.3, batch_size=10000, sample_batch_size=10000)
    batched = parzen_log_likelihood(samples, test, 0.3, batch_size=7, sample_batch_size=13)
    # Equal up to float64 rounding: a logsumexp of partial logsumexps only reorders the sum.
    assert torch.allclose(whole, batched, rtol=0, atol=1e-12)


def test_select_sigma_finds_the_spread_of_well_separated_clusters():
    # Each validation point lies near exactly one sample, at Gaussian offset 0.5: the mean
    # log-likelihood is then that of a Gaussian in sigma, maximised at the true spread 0.5.
    g = torch.Generator().manual_seed(2)
    samples = 100.0 * torch.arange(10, dtype=torch.float64)[:, None].repeat(1, 2)
    validation = samples.repeat(100, 1) + 0.5 * torch.randn(1000, 2, generator=g, dtype=torch.float64)
    assert select_sigma(samples, validation, sigmas=np.array([0.1, 0.25, 0.5, 1.0, 2.0])) == 0.5


def test_report_uses_the_selected_sigma_on_test():
    g = torch.Generator().manual_seed(3)
    samples, validation, test = (torch.randn(n, 2, generator=g) for n in (800, 200, 300))
    report = parzen_report(samples, validation, test)
    assert report["sigmas"] == pytest.approx(np.logspace(-1, 0, 10).tolist())
    assert report["sigma"] == report["sigmas"][int(np.argmax(report["validation_ll"]))]
    ll = parzen_log_likelihood(samples, test, report["sigma"])
    assert report["mean"] == pytest.approx(ll.mean().item())
    assert report["std_error"] == pytest.approx(ll.numpy().std() / math.sqrt(300))


def test_equals_the_log_likelihood_of_the_gaussian_mixture_it_defines():
    # Parzen with kernel width sigma on centres m_i *is* the mixture (1/M) sum_i N(m_i, sigma^2 I);
    # compare with scipy's densities on test points drawn from that mixture.
    from scipy.special import logsumexp
    from scipy.stats import multivariate_normal
    g = torch.Generator().manual_seed(3)
    centres = torch.tensor([[0.0, 0.0, 0.0], [3.0, -1.0, 2.0], [-2.0, 4.0, 1.0]], dtype=torch.float64)
    sigma = 0.6
    pick = torch.randint(0, 3, (500,), generator=g)
    test = centres[pick] + sigma * torch.randn(500, 3, generator=g, dtype=torch.float64)
    per_component = np.stack([multivariate_normal(c.numpy(), sigma ** 2 * np.eye(3)).logpdf(test.numpy())
                              for c in centres])  # (3, 500)
    truth = logsumexp(per_component, axis=0) - math.log(3)
    estimate = parzen_log_likelihood(centres, test, sigma).numpy()
    assert np.allclose(estimate, truth, rtol=0, atol=1e-9)


def test_all_sigmas_in_one_pass_match_one_sigma_at_a_time():
    from gankit.metrics.parzen import parzen_log_likelihoods
    g = torch.Generator().manual_seed(5)
    samples, test = torch.randn(300, 4, generator=g), torch.randn(50, 4, generator=g)
    sigmas = np.logspace(-1, 0, 10)
    together = parzen_log_likelihoods(samples, test, sigmas, batch_size=16, sample_batch_size=64)
    for k, sigma in enumerate(sigmas):
        alone = parzen_log_likelihood(samples, test, float(sigma))
        assert torch.allclose(together[:, k], alone, rtol=0, atol=1e-10)
