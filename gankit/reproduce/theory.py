"""The 2014 paper's theory on a 1-D grid: D*, the value of the game and the Jensen-Shannon divergence.

Densities are arrays of values on an evenly spaced grid with spacing `dx`;
integrals are Riemann sums, exact up to the grid's resolution.
"""

from __future__ import annotations

import math

import numpy as np

LOG4 = math.log(4.0)


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g); 1/2 where both densities vanish (D* is free there)."""
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, p_data / safe, 0.5)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * log(y) with 0 * log(anything) = 0, as in the expectations of the paper."""
    safe = np.where(x > 0, y, 1.0)
    return np.where(x > 0, x * np.log(safe), 0.0)


def game_value(p_data: np.ndarray, p_g: np.ndarray, d: np.ndarray, dx: float) -> float:
    """V(D, G) = E_pdata[log D] + E_pg[log(1 - D)] by a Riemann sum on the grid."""
    p_data, p_g, d = (np.asarray(a, float) for a in (p_data, p_g, d))
    return float((_xlogy(p_data, d).sum() + _xlogy(p_g, 1.0 - d).sum()) * dx)


def value_at_optimum(p_data: np.ndarray, p_g: np.ndarray, dx: float) -> float:
    """V(D*, G) = E_pdata[log D*] + E_pg[log(1 - D*)], with 1 - D* = p_g / (p_data + p_g) kept exact."""
    # Forming 1 - D* from a rounded D* gives log(0) where p_g is tiny next to p_data; the ratio does not.
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return float((_xlogy(p_data, p_data / np.where(total > 0, total, 1.0)).sum()
                  + _xlogy(p_g, p_g / np.where(total > 0, total, 1.0)).sum()) * dx)


def kl(p: np.ndarray, q: np.ndarray, dx: float) -> float:
    """KL(p || q) in nats by a Riemann sum (infinite where p > 0 = q)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if np.any((p > 0) & (q <= 0)):
        return math.inf
    return float((_xlogy(p, p).sum() - _xlogy(p, q).sum()) * dx)


def jsd(p: np.ndarray, q: np.ndarray, dx: float) -> float:
    """Jensen-Shannon divergence in nats: (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    m = (p + q) / 2
    return 0.5 * kl(p, m, dx) + 0.5 * kl(q, m, dx)


def histogram_density(samples: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """A density estimate (per unit x) on the bins `edges`, normalised by all samples, inside or not."""
    samples = np.asarray(samples, float).ravel()
    counts, _ = np.histogram(samples, bins=edges)
    return counts / (samples.size * np.diff(edges))


def gaussian_pdf(x: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The normal density N(mean, std^2) at x."""
    x = np.asarray(x, float)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi))
