"""f-GAN losses (Nowozin et al. 2016): any f-divergence D_f(P || Q) as a GAN objective.

D outputs a raw value v; the variational function is T = g_f(v) (the output
activation keeps T inside the domain of the conjugate f*). D maximises

    F(T) = E_P[T(x)] - E_Q[f*(T(G(z)))],   P the data, Q the model,

a lower bound on D_f(P || Q) = E_Q[f(p / q)] that is tight at T*(x) = f'(p(x) / q(x)).
Each divergence below gives T and f*(T) as closed forms in v, derived by hand
from the paper's table so that no exp can overflow where the exact value is
finite and no log is ever taken of a non-positive number:

    divergence   g_f(v)                   f*(t)               f*(g_f(v))
    kl           v                        exp(t - 1)          exp(v - 1)
    reverse_kl   -exp(-v)                 -1 - log(-t)        v - 1
    pearson      v                        t^2 / 4 + t         v^2 / 4 + v
    hellinger    1 - exp(-v)              t / (1 - t)         exp(v) - 1
    js           log 2 - softplus(-v)     -log(2 - exp(t))    softplus(v) - log 2
    gan          -softplus(-v)            -log(1 - exp(t))    softplus(v)

kl, reverse_kl and hellinger contain an exponential of v that is unbounded by
definition (their T or f*(T) really exceeds float32 for |v| beyond about 88, on
one side of 0); they return inf there, never nan, and a training run stops as diverged. With f(u) as listed above DIVERGENCES,
js measures KL(P || M) + KL(Q || M) = 2 JSD (M the midpoint) and gan measures
2 JSD - log 4; gan's D loss is exactly gankit's `bce_d_loss`.

All losses here are minimised, like the rest of gankit.losses: the D loss is -F.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

LOG2 = math.log(2.0)


class Divergence(NamedTuple):
    """One f-divergence: T = g_f(v) and f*(g_f(v)) as functions of D's raw output, and q f(p / q) for quadrature."""
    activation: Callable[[torch.Tensor], torch.Tensor]   # v -> T = g_f(v)
    conjugate: Callable[[torch.Tensor], torch.Tensor]    # v -> f*(g_f(v))
    integrand: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (log p, log q) -> q f(p / q), float64


def _js_like(lp, lq, shift):
    """p log(p / m) + q log(q / m) with log m = logaddexp(log p, log q) - shift."""
    lm = np.logaddexp(lp, lq) - shift
    return np.exp(lp) * (lp - lm) + np.exp(lq) * (lq - lm)


# q f(p / q) for f(u): kl u log u; reverse_kl -log u; pearson (u - 1)^2; hellinger (sqrt u - 1)^2;
# js u log u - (u + 1) log((u + 1) / 2); gan u log u - (u + 1) log(u + 1).
DIVERGENCES: dict[str, Divergence] = {
    "kl": Divergence(lambda v: v, lambda v: torch.exp(v - 1), lambda lp, lq: np.exp(lp) * (lp - lq)),
    "reverse_kl": Divergence(lambda v: -torch.exp(-v), lambda v: v - 1, lambda lp, lq: np.exp(lq) * (lq - lp)),
    "pearson": Divergence(lambda v: v, lambda v: v * v / 4 + v,
                          lambda lp, lq: np.exp(2 * lp - lq) - 2 * np.exp(lp) + np.exp(lq)),
    "hellinger": Divergence(lambda v: -torch.expm1(-v), torch.expm1,
                            lambda lp, lq: (np.exp(lp / 2) - np.exp(lq / 2)) ** 2),
    "js": Divergence(lambda v: LOG2 - F.softplus(-v), lambda v: F.softplus(v) - LOG2,
                     lambda lp, lq: _js_like(lp, lq, LOG2)),
    "gan": Divergence(lambda v: -F.softplus(-v), F.softplus, lambda lp, lq: _js_like(lp, lq, 0.0)),
}

G_VARIANTS = ("saturating", "nonsaturating")


def fgan_d_loss(d_real: torch.Tensor, d_fake: torch.Tensor, divergence: str) -> torch.Tensor:
    """-(E_P[g_f(v)] - E_Q[f*(g_f(v))]): the negated variational lower bound on D_f(P || Q)."""
    div = DIVERGENCES[divergence]
    return div.conjugate(d_fake).mean() - div.activation(d_real).mean()


def fgan_g_loss(d_fake: torch.Tensor, divergence: str, variant: str = "nonsaturating") -> torch.Tensor:
    """saturating: -E_Q[f*(g_f(v))] (G minimises the bound); nonsaturating: -E_Q[g_f(v)] (the paper's Sec. 3.2)."""
    div = DIVERGENCES[divergence]
    if variant == "saturating":
        return -div.conjugate(d_fake).mean()
    return -div.activation(d_fake).mean()


def divergence_value(divergence: str, log_p: np.ndarray, log_q: np.ndarray, dx: float) -> float:
    """D_f(P || Q), the integral of q f(p / q), by the trapezoid rule on an even grid of spacing dx (float64)."""
    with np.errstate(over="ignore"):  # an integrand that overflows is an infinite divergence, returned as inf
        integrand = DIVERGENCES[divergence].integrand(np.asarray(log_p, np.float64), np.asarray(log_q, np.float64))
        return float(np.trapezoid(integrand, dx=dx))
