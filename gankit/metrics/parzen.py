"""Parzen-window log-likelihood of test data under generated samples (Goodfellow et al. 2014, parzen_ll.py)."""

from __future__ import annotations

import math

import numpy
import torch

from gankit.errors import GankitError


def validation_size(n_train_rows: int) -> int:
    """Training rows held out (the last ones) to choose sigma: 10,000 of MNIST's 60,000, a sixth of fewer."""
    return min(10_000, n_train_rows // 6)


def _matrix(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 (N, d) tensor, one flattened example per row."""
    x = torch.as_tensor(x).double()
    if x.dim() == 0 or len(x) == 0:
        raise GankitError(f"{name} is empty; the Parzen estimate needs examples.")
    return x.reshape(len(x), -1)


def _log_kernel_sums(test: torch.Tensor, samples: torch.Tensor, sigmas: torch.Tensor,
                     sample_batch_size: int) -> torch.Tensor:
    """logsumexp_i(-||x - s_i||^2 / (2 sigma^2)) for each test row and each sigma: (N, S), streamed over samples."""
    test_sq = (test * test).sum(dim=1, keepdim=True)
    partial = []
    for j in range(0, len(samples), sample_batch_size):
        s = samples[j:j + sample_batch_size]
        # The expansion avoids a (batch, batch, d) difference tensor; clamp undoes rounding below 0.
        sq = (test_sq + (s * s).sum(dim=1)[None] - 2 * test @ s.T).clamp(min=0)  # (N, B)
        # One distance matrix serves every sigma: the grid search costs one pass, not ten.
        partial.append(torch.stack([torch.logsumexp(-sq / (2 * sg ** 2), dim=1) for sg in sigmas.tolist()], dim=1))
    # A logsumexp of per-batch logsumexps equals the full one, with one column per sample batch in memory.
    return torch.logsumexp(torch.stack(partial, dim=2), dim=2)


def parzen_log_likelihoods(samples, test, sigmas, batch_size: int = 1024,
                           sample_batch_size: int = 8192) -> torch.Tensor:
    """Per-test-example log-likelihoods (N, S) under isotropic Gaussian kernels of each width in sigmas."""
    samples, test = _matrix(samples, "samples"), _matrix(test, "test")
    if samples.shape[1] != test.shape[1]:
        raise GankitError(f"samples have {samples.shape[1]} values each but test examples have {test.shape[1]}; "
                          "compare examples of one shape.")
    sigmas = torch.as_tensor(numpy.asarray(sigmas, dtype=numpy.float64)).reshape(-1)
    if not bool((sigmas > 0).all()):
        raise GankitError(f"the Parzen window width sigma must be positive, got {sigmas.tolist()}.")
    m, d = samples.shape
    log_norm = math.log(m) + d / 2 * torch.log(2 * math.pi * sigmas ** 2)  # (S,)
    out = [_log_kernel_sums(test[i:i + batch_size], samples, sigmas, sample_batch_size) - log_norm
           for i in range(0, len(test), batch_size)]
    return torch.cat(out)


def parzen_log_likelihood(samples, test, sigma: float, batch_size: int = 1024,
                          sample_batch_size: int = 8192) -> torch.Tensor:
    """Per-test-example log-likelihood (N,) under an isotropic Gaussian kernel on every sample."""
    return parzen_log_likelihoods(samples, test, [sigma], batch_size, sample_batch_size)[:, 0]


def _validation_scores(samples, validation, sigmas, **batching) -> list[float]:
    """Mean validation log-likelihood for each candidate sigma, from one pass over the distances."""
    return parzen_log_likelihoods(samples, validation, sigmas, **batching).mean(dim=0).tolist()


def select_sigma(samples, validation, sigmas=None, **batching) -> float:
    """The grid sigma (default logspace(-1, 0, 10), as the reference) maximising mean validation log-likelihood."""
    sigmas = numpy.logspace(-1, 0, 10) if sigmas is None else sigmas
    scores = _validation_scores(samples, validation, sigmas, **batching)
    return float(sigmas[int(numpy.argmax(scores))])


def parzen_report(samples, validation, test, sigmas=None, **batching) -> dict:
    """Choose sigma on validation, then the mean test log-likelihood and its standard error."""
    sigmas = numpy.logspace(-1, 0, 10) if sigmas is None else sigmas
    scores = _validation_scores(samples, validation, sigmas, **batching)
    sigma = float(sigmas[int(numpy.argmax(scores))])
    ll = parzen_log_likelihood(samples, test, sigma, **batching)
    return {
        "mean": ll.mean().item(),
        # Population std over sqrt(N), exactly as parzen_ll.py reports it.
        "std_error": ll.std(correction=0).item() / math.sqrt(len(ll)),
        "sigma": sigma,
        "sigmas": [float(s) for s in sigmas],
        "validation_ll": scores,
    }
