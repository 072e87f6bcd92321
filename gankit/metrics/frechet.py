"""Frechet distance between Gaussians fitted to features (FID, Heusel et al. 2017)."""

from __future__ import annotations

import torch

from gankit.errors import GankitError


def _matrix(x, name: str) -> torch.Tensor:
    """Return `x` as a float64 (N, d) tensor, one row per example."""
    x = torch.as_tensor(x).double()
    if x.dim() == 0 or len(x) < 2:
        raise GankitError(f"{name} needs at least 2 examples to estimate a covariance, got {len(x) if x.dim() else 0}.")
    return x.reshape(len(x), -1)


def gaussian_stats(features) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (d,) and unbiased (N-1) covariance (d, d) of features (N, d)."""
    x = _matrix(features, "features")
    mu = x.mean(dim=0)
    centred = x - mu
    sigma = centred.T @ centred / (len(x) - 1)
    return mu, sigma


def _sqrt_psd(matrix: torch.Tensor) -> torch.Tensor:
    """Symmetric square root of a symmetric PSD matrix via its eigendecomposition."""
    values, vectors = torch.linalg.eigh(matrix)
    # Rounding makes zero eigenvalues of a rank-deficient covariance slightly negative.
    roots = values.clamp(min=0).sqrt()
    return (vectors * roots) @ vectors.T


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)) between two Gaussians."""
    mu1, mu2 = torch.as_tensor(mu1).double().flatten(), torch.as_tensor(mu2).double().flatten()
    s1, s2 = torch.as_tensor(sigma1).double(), torch.as_tensor(sigma2).double()
    d = len(mu1)
    if len(mu2) != d or s1.shape != (d, d) or s2.shape != (d, d):
        raise GankitError(f"Frechet distance needs means of one length d and (d, d) covariances, got "
                          f"{len(mu1)}, {len(mu2)}, {tuple(s1.shape)} and {tuple(s2.shape)}.")
    # Symmetrise: accumulated rounding leaves covariances a hair off symmetric, which eigh ignores silently.
    s1, s2 = (s1 + s1.T) / 2, (s2 + s2.T) / 2
    # S1 S2 is similar to sqrt(S1) S2 sqrt(S1), which is symmetric PSD, so the trace of its
    # square root is the sum of root eigenvalues: no complex parts, no non-symmetric sqrtm.
    root1 = _sqrt_psd(s1)
    middle = root1 @ s2 @ root1
    eigenvalues = torch.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = eigenvalues.clamp(min=0).sqrt().sum()
    diff = mu1 - mu2
    value = diff @ diff + torch.trace(s1) + torch.trace(s2) - 2 * trace_sqrt
    # The true distance is non-negative; only rounding can push equal Gaussians below zero.
    return max(value.item(), 0.0)


def fid_from_features(real, fake) -> float:
    """Frechet distance between Gaussians fitted to real and fake features (N, d)."""
    mu1, sigma1 = gaussian_stats(real)
    mu2, sigma2 = gaussian_stats(fake)
    return frechet_distance(mu1, sigma1, mu2, sigma2)
