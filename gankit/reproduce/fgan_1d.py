"""The f-GAN paper's first experiment: one Gaussian fitted to a 1-D mixture under each f-divergence.

The generator is G(z) = mu + sigma z with z ~ N(0, 1) (gankit's MLP generator with no hidden
layer: one weight, one bias), so the model family is exactly the Gaussians and D_f(P || Q_theta)
can be computed by quadrature at every step, beside the critic's own estimate of it.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from matplotlib.figure import Figure
from scipy.optimize import minimize
from scipy.stats import norm

from gankit.atomic import atomic_write
from gankit.config import from_dict, validate
from gankit.data.toy import ToyDataset
from gankit.losses import DIVERGENCES, loss_for
from gankit.losses.fgan import divergence_value
from gankit.train.session import advance, start_session

# The data: 2/3 N(-1, 0.5^2) + 1/3 N(2, 0.5^2) (a mode listed twice weighs twice), mean 0, std 1.5.
# Chosen so that the minimisers differ clearly: KL matches the moments, reverse KL sits on the heavy mode.
MODES, MODE_STD = (-1.0, -1.0, 2.0), 0.5
TOLERANCE = 0.1  # fitted mu and sigma must lie within this many data standard deviations of the minimiser


def mixture(modes=MODES, std: float = MODE_STD) -> ToyDataset:
    """The data distribution as a gankit toy dataset (equal-weight modes; repeat one to weigh it more)."""
    return ToyDataset("mixture1d", torch.tensor(modes, dtype=torch.float64)[:, None], std)


def data_moments(data: ToyDataset) -> tuple[float, float]:
    """Mean and standard deviation of the mixture, exactly."""
    m = data.modes[:, 0].double()
    mean = float(m.mean())
    return mean, math.sqrt(float(((m - mean) ** 2).mean()) + data.mode_std ** 2)


class Grid:
    """An even grid wide enough for the mixture and any sensible Gaussian, with the data's log density on it."""

    def __init__(self, data: ToyDataset, points: int):
        mean, sd = data_moments(data)
        self.x = np.linspace(mean - 12 * sd, mean + 12 * sd, points)
        self.dx = float(self.x[1] - self.x[0])
        self.log_p = data.log_density(torch.as_tensor(self.x, dtype=torch.float64)[:, None]).numpy()

    def divergence(self, div: str, mu: float, sigma: float) -> float:
        """D_f(data || N(mu, sigma^2)) by the trapezoid rule."""
        return divergence_value(div, self.log_p, norm.logpdf(self.x, mu, sigma), self.dx)


def local_minimiser(div: str, grid: Grid, mu: float, sigma: float) -> tuple[float, float, float]:
    """(mu, sigma, D_f) at the minimum of D_f over the Gaussians that Nelder-Mead reaches from (mu, sigma)."""
    with np.errstate(invalid="ignore"):  # an infinite divergence at a vertex (Pearson, narrow Q) is allowed
        res = minimize(lambda th: grid.divergence(div, th[0], math.exp(th[1])), [mu, math.log(sigma)],
                       method="Nelder-Mead", options={"xatol": 1e-6, "fatol": 1e-11, "maxiter": 5000})
    return float(res.x[0]), float(math.exp(res.x[1])), float(res.fun)


def true_minimiser(div: str, data: ToyDataset, grid: Grid) -> tuple[float, float, float]:
    """The global minimiser (mu, sigma, D_f) over single Gaussians: the best local one from the data's
    moments and from each mode (with the modes' own std and with the data's)."""
    mean, sd = data_moments(data)
    starts = [(mean, sd)] + [(float(m), s) for m in data.modes[:, 0].unique() for s in (data.mode_std, sd)]
    return min((local_minimiser(div, grid, mu, s) for mu, s in starts), key=lambda r: r[2])


def config_1d(div: str, seed: int, size: dict):
    """The run's gankit config: affine G, a small MLP D, the bound itself as G's loss (saturating)."""
    return validate(from_dict({
        "data": {"name": "gaussian1d"},  # the session trains on the mixture handed to it; this only fills the key
        "model": {"name": "mlp", "z_dim": 1, "z_dist": "normal", "g_hidden": [], "d_hidden": size["d_hidden"],
                  "g_out": "none"},
        "loss": {"name": "fgan", "divergence": div, "fgan_g": "saturating"},
        "g_optim": {"lr": size["g_lr"], "betas": [0.5, 0.999]},
        "d_optim": {"lr": size["d_lr"], "betas": [0.5, 0.999]},
        "train": {"steps": size["steps"], "batch_size": size["batch"], "ema": size["ema"], "seed": seed,
                  "progress": False}}))


@torch.no_grad()
def gaussian_of(G: torch.nn.Module) -> tuple[float, float]:
    """(mu, sigma) of an affine generator: G(0) and |G(1) - G(0)|."""
    out = G(torch.tensor([[0.0], [1.0]]))[:, 0].double()
    return float(out[0]), float((out[1] - out[0]).abs())


@torch.no_grad()
def critic_estimate(cfg, D, real: torch.Tensor, fake: torch.Tensor) -> float:
    """E_P[T] - E_Q[f*(T)] of the current critic on fixed samples: D's estimate of D_f(P || Q)."""
    return float(-loss_for(cfg.loss).d(D(real).double(), D(fake).double()))


def train_1d(div: str, seed: int, size: dict) -> dict:
    """Fit the Gaussian under one divergence; every size['every'] steps record (mu, sigma), the critic's
    estimate and the true divergence. A run whose losses turn non-finite stops and says so."""
    data, cfg = mixture(), config_1d(div, seed, size)
    grid = Grid(data, size["grid"])
    s = start_session(cfg, data, "cpu")
    gen = torch.Generator().manual_seed(10_000 + seed)
    real = data.sample(size["n_eval"], gen)[0].float()
    z = torch.randn(size["n_eval"], 1, generator=gen)
    out = {"div": div, "seed": seed, "steps": [], "mu": [], "sigma": [], "estimate": [], "true": [],
           "diverged_at": None}
    ema = "G_ema" if "G_ema" in s.nets else "G"
    while True:
        if s.step % size["every"] == 0 or s.step == size["steps"]:
            mu, sigma = gaussian_of(s.nets["G"])
            with torch.no_grad():
                fake = s.nets["G"](z)
            for key, value in (("steps", s.step), ("mu", mu), ("sigma", sigma), ("true", grid.divergence(div, mu, sigma)),
                               ("estimate", critic_estimate(cfg, s.nets["D"], real, fake))):
                out[key].append(value)
        if s.step == size["steps"]:
            break
        stats = advance(s, data)
        if s.step % size["every"] == 0 and not all(torch.isfinite(v) for v in stats.values()):
            out["diverged_at"] = s.step
            break
    out["final_mu"], out["final_sigma"] = gaussian_of(s.nets[ema])  # the EMA of G's two parameters
    out["final_true"] = grid.divergence(div, out["final_mu"], out["final_sigma"])
    return out


def fit_figure(path, data: ToyDataset, grid: Grid, minimisers: dict, runs: dict) -> None:
    """One panel per divergence: the data density, its true minimiser (dashed), each seed's fit (solid)."""
    fig = Figure(figsize=(11, 5.6), layout="constrained")
    axes = fig.subplots(2, 3, sharex=True, sharey=True).ravel()
    mean, sd = data_moments(data)
    x = np.linspace(mean - 4 * sd, mean + 4 * sd, 800)
    p = data.density(torch.as_tensor(x)[:, None]).numpy()
    for ax, div in zip(axes, DIVERGENCES):
        ax.fill_between(x, p, color="0.85", label="data")
        mu, sigma, _ = minimisers[div]
        ax.plot(x, norm.pdf(x, mu, sigma), "k--", lw=1.5, label="true minimiser")
        for r in runs[div]:
            ax.plot(x, norm.pdf(x, r["final_mu"], r["final_sigma"]), lw=1, alpha=0.8, label=f"seed {r['seed']}")
        ax.set_title(f"{div}: minimiser N({mu:.2f}, {sigma:.2f}²)", fontsize=9)
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize="x-small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def estimate_figure(path, runs: dict, minimisers: dict) -> None:
    """One panel per divergence: the critic's estimate (solid) and the true D_f (dashed) of the current G, per seed."""
    fig = Figure(figsize=(11, 5.6), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, div in zip(axes, DIVERGENCES):
        for r, colour in zip(runs[div], ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")):
            ax.plot(r["steps"], r["estimate"], color=colour, lw=1, label=f"critic, seed {r['seed']}")
            ax.plot(r["steps"], r["true"], color=colour, lw=1, ls="--", label=f"true, seed {r['seed']}")
        ax.axhline(minimisers[div][2], color="k", lw=0.8, ls=":", label="minimum over Gaussians")
        top = max(max(r["true"][len(r["true"]) // 5:] + [minimisers[div][2]]) for r in runs[div])
        low = min(min(r["estimate"][len(r["estimate"]) // 5:] + [minimisers[div][2]]) for r in runs[div])
        if all(map(math.isfinite, (top, low))):
            pad = 0.25 * (top - low) + 0.02
            ax.set_ylim(low - pad, top + pad)  # the early steps' values run far above; the figure shows the rest
        ax.set(title=div, xlabel="G step")
        ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize="xx-small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))
