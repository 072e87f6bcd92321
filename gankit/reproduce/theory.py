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


def game_value(p_data: np.ndarray, p_g: np.ndarray, d: np.ndarray, dx) -> float:
    """V(D, G) = E_pdata[log D] + E_pg[log(1 - D)] by a Riemann sum on the grid (dx: a step, or each point's cell)."""
    p_data, p_g, d = (np.asarray(a, float) for a in (p_data, p_g, d))
    return float(np.sum((_xlogy(p_data, d) + _xlogy(p_g, 1.0 - d)) * dx))


def value_at_optimum(p_data: np.ndarray, p_g: np.ndarray, dx) -> float:
    """V(D*, G) = E_pdata[log D*] + E_pg[log(1 - D*)], with 1 - D* = p_g / (p_data + p_g) kept exact."""
    # Forming 1 - D* from a rounded D* gives log(0) where p_g is tiny next to p_data; the ratio does not.
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return float(np.sum((_xlogy(p_data, p_data / np.where(total > 0, total, 1.0))
                         + _xlogy(p_g, p_g / np.where(total > 0, total, 1.0))) * dx))


def kl(p: np.ndarray, q: np.ndarray, dx) -> float:
    """KL(p || q) in nats by a Riemann sum (infinite where p > 0 = q)."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if np.any((p > 0) & (q <= 0)):
        return math.inf
    return float(np.sum((_xlogy(p, p) - _xlogy(p, q)) * dx))


def jsd(p: np.ndarray, q: np.ndarray, dx) -> float:
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


def pushforward_density(x: np.ndarray, g: np.ndarray, dg: np.ndarray, p_z: float, chunk: int = 64) -> np.ndarray:
    """p_g(x) = sum over the preimages z* of x of p_z / |G'(z*)|: the change of variables, exact up to the grid.

    g = G(z) and dg = G'(z) on a fine grid of z covering the support of a uniform z (density p_z). Each grid
    segment that G carries across x holds one preimage, found by linear interpolation, and G' is
    interpolated there the same way; segments are half-open, so a point shared by two counts once.
    """
    x, g, dg = (np.asarray(a, float) for a in (x, g, dg))
    g0, g1, d0, d1 = g[:-1], g[1:], dg[:-1], dg[1:]
    lo, hi = np.minimum(g0, g1), np.maximum(g0, g1)
    run = np.where(g1 != g0, g1 - g0, 1.0)
    out = np.zeros(len(x))
    for start in range(0, len(x), chunk):
        xs = x[start:start + chunk, None]                                       # (c, 1)
        cross = (xs >= lo) & (xs < hi)                                          # (c, K - 1)
        slope = np.abs(d0 + np.clip((xs - g0) / run, 0, 1) * (d1 - d0))
        out[start:start + chunk] = np.where(cross, p_z / np.maximum(slope, 1e-12), 0.0).sum(1)
    return out
