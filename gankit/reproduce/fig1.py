"""Figure 1 of Goodfellow et al. 2014: a generator learns a 1-D Gaussian; D*, V(D*, G) and the JSD checked."""

from __future__ import annotations

import copy
import math

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.metrics import wasserstein1
from gankit.objectives import OptimizerSpec, Parts, gan, sample_z
from gankit.reproduce import theory
from gankit.train.context import StepContext
from gankit.train.session import advance, make_optimizer, start_session
from gankit.viz.toy import kde

TITLE = "Figure 1 of Goodfellow et al. 2014: a generator learns a 1-D Gaussian"

# steps: G steps of the recipe; d_steps/d_batch: the D-to-convergence check; n_pg: samples behind p_g.
SIZES = {
    "tiny": dict(steps=40, d_steps=150, d_batch=256, n_pg=20_000, bin_width=0.1, curve_every=10),
    "default": dict(steps=3000, d_steps=3000, d_batch=1024, n_pg=1_000_000, bin_width=0.02, curve_every=50),
    "full": dict(steps=6000, d_steps=10_000, d_batch=2048, n_pg=4_000_000, bin_width=0.01, curve_every=50),
}
SUPPORT_SHARE = 0.01  # D* is compared where p_data + p_g exceeds this share of its peak
MAP_LINES = 25


def _d_prob(D, x: np.ndarray) -> np.ndarray:
    """D(x) as a probability at points x (N,)."""
    with torch.no_grad():
        return torch.sigmoid(D(torch.as_tensor(x, dtype=torch.float32)[:, None])).double().numpy()


def _g_samples(G, n: int, seed: int) -> np.ndarray:
    """n samples of G (float64, (n,)), drawn in chunks from a seeded uniform z."""
    z = sample_z(n, 1, "uniform", torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return torch.cat([G(chunk)[:, 0] for chunk in z.split(200_000)]).double().numpy()


def _core_deviation(D, mu: float, sigma: float) -> float:
    """Mean |D(x) - 1/2| over x evenly spread on [mu - 2 sigma, mu + 2 sigma]."""
    return float(np.abs(_d_prob(D, np.linspace(mu - 2 * sigma, mu + 2 * sigma, 201)) - 0.5).mean())


def _train(cfg, data, size: dict, snap_steps: list[int]):
    """Train the recipe with gankit's training step; keep copies of (G, D) at snap_steps and a W1 curve."""
    s = start_session(cfg, data, "cpu")
    mu, sigma = float(data.modes[0, 0]), data.mode_std
    real = data.sample(5000, torch.Generator().manual_seed(123))[0][:, 0]
    snaps, curve = {}, []
    for step in range(size["steps"] + 1):
        if step in snap_steps:
            snaps[step] = (copy.deepcopy(s.nets["G"]).eval(), copy.deepcopy(s.nets["D"]).eval())
        if step % size["curve_every"] == 0 or step == size["steps"] or step in snap_steps:
            fake = _g_samples(s.nets["G"], 5000, seed=7)
            curve.append({"step": step, "w1": wasserstein1(fake, real), "d_dev": _core_deviation(s.nets["D"], mu, sigma)})
        if step < size["steps"]:
            advance(s, data)
    return snaps, curve


def _converge_d(cfg, G, D, data, size: dict, seed: int):
    """A copy of D trained alone against the fixed G on fresh batches; lr drops 10x for the last third."""
    D = copy.deepcopy(D).train()
    cpu = torch.device("cpu")
    opt = make_optimizer(cfg.d_optim, D.parameters(), cpu)
    parts = Parts(cfg=cfg, nets={"G": G, "D": D}, optimizers={"D": OptimizerSpec(cfg.d_optim, ("D",))})
    t = StepContext(seed, cpu, "fp32", {"D": opt}, {"D": cfg.d_optim})
    t.generators["noise"] = torch.Generator().manual_seed(seed)
    rng = torch.Generator().manual_seed(seed + 1)
    for i in range(size["d_steps"]):
        if i == size["d_steps"] * 2 // 3:  # a smaller step settles the minibatch noise around D*
            for group in opt.param_groups:
                group["lr"] /= 10
        loss, _ = gan.d_loss(parts, data.sample(size["d_batch"], rng)[0], t)
        t.update("D", loss)
    return D.eval()


def _theory_check(G, D_conv, data, size: dict) -> dict:
    """p_g by a histogram of many G samples; D* from it; D_conv against D*; V(D*, G) against -log 4 + 2 JSD."""
    mu, sigma = float(data.modes[0, 0]), data.mode_std
    fake = _g_samples(G, size["n_pg"], seed=11)
    lo, hi = min(mu - 6 * sigma, fake.min()), max(mu + 6 * sigma, fake.max())  # every sample lands in a bin
    bins = max(int(math.ceil((hi - lo) / size["bin_width"])), 10)
    edges = np.linspace(lo, hi, bins + 1)
    x, dx = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    p_data = data.density(torch.as_tensor(x)[:, None]).double().numpy()
    p_g = theory.histogram_density(fake, edges)
    d_star, d_net = theory.optimal_discriminator(p_data, p_g), _d_prob(D_conv, x)
    support = (p_data + p_g) > SUPPORT_SHARE * (p_data + p_g).max()
    gap = np.abs(d_net - d_star)[support]
    v_star, js = theory.value_at_optimum(p_data, p_g, dx), theory.jsd(p_data, p_g, dx)
    return {"x": x, "p_data": p_data, "p_g": p_g, "d_star": d_star, "d_net": d_net, "support": support,
            "d_gap_max": float(gap.max()), "d_gap_mean": float(gap.mean()),
            "d_gap_p95": float(np.percentile(gap, 95)), "x_gap_max": float(x[support][gap.argmax()]),
            "g_min": float(fake.min()), "g_max": float(fake.max()), "v_dstar": v_star, "jsd": js,
            "c_from_jsd": -math.log(4) + 2 * js, "v_dnet": theory.game_value(p_data, p_g, d_net, dx),
            "bins": bins, "bin_width": float(dx)}


def _panel(ax, map_ax, G, D, data, x: np.ndarray, ymax: float, label: str) -> None:
    """One panel as in the paper: densities and D(x) above, the z -> x mapping below."""
    fake = _g_samples(G, 20_000, seed=3)
    ax.plot(x, data.density(torch.as_tensor(x)[:, None]).numpy(), "k:", lw=2, label="p_data")
    ax.plot(x, kde(fake, x, x[-1] - x[0]), color="tab:green", lw=2, label="p_g (KDE)")
    ax.plot(x, _d_prob(D, x) * ymax, color="tab:blue", ls="--", lw=2, label="D(x)")
    ax.axhline(0.5 * ymax, color="tab:blue", lw=0.5, alpha=0.5)
    ax.set_ylim(0, ymax * 1.05)
    ax.set_title(label, fontsize="medium")
    ax.set_yticks([0, 0.5 * ymax, ymax], labels=["0", "1/2", "1"])
    z = np.linspace(-1, 1, MAP_LINES)
    with torch.no_grad():
        gz = G(torch.as_tensor(z, dtype=torch.float32)[:, None])[:, 0].numpy()
    for zi, xi in zip(z, gz):
        map_ax.plot([zi, xi], [0, 1], color="tab:gray", lw=0.7)
    map_ax.axhline(0, color="k", lw=1)
    map_ax.axhline(1, color="k", lw=1)
    map_ax.set_ylim(-0.1, 1.1)
    map_ax.set_yticks([0, 1], labels=["z", "x"])


def _figure1(snaps: dict, data, x: np.ndarray, path) -> None:
    """The four snapshots side by side, the paper's panels (a)-(d)."""
    fig = Figure(figsize=(16, 4.8), layout="constrained")
    axes = fig.subplots(2, len(snaps), sharex=True, height_ratios=[3, 1], squeeze=False)
    ymax = 1.6 * float(data.density(torch.tensor([[float(data.modes[0, 0])]]))[0])
    for i, (step, (G, D)) in enumerate(sorted(snaps.items())):
        _panel(axes[0, i], axes[1, i], G, D, data, x, ymax, f"({'abcd'[i % 4]}) step {step}")
        axes[1, i].set_xlabel("x (lines: z on the lower line -> G(z))")
    axes[0, 0].set_ylabel("D(x) (ticks); densities unscaled")
    axes[0, 0].legend(loc="upper left", fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def _d_star_figure(checks: dict, path) -> None:
    """The trained D against D* = p_data / (p_data + p_g) for each G checked."""
    fig = Figure(figsize=(6 * len(checks), 4), layout="constrained")
    axes = fig.subplots(1, len(checks), squeeze=False)[0]
    for ax, (name, c) in zip(axes, checks.items()):
        x, keep = c["x"], c["support"]
        ax.fill_between(x, 0, keep * 1.0, color="tab:gray", alpha=0.12, step="mid", label="support compared")
        ax.plot(x, c["d_star"], color="k", lw=2, label="D* from p_data and histogram p_g")
        ax.plot(x, c["d_net"], color="tab:blue", ls="--", lw=2, label="D trained with G fixed")
        ax.set_ylim(-0.02, 1.05)
        ax.set_title(f"G at {name}: max |D - D*| on support = {c['d_gap_max']:.3f}", fontsize="medium")
        ax.set_xlabel("x")
    axes[0].legend(loc="best", fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def _curve_figure(curve: list[dict], path) -> None:
    """W1 to the data and D's distance from 1/2 over training."""
    fig = Figure(figsize=(7, 3.6), layout="constrained")
    ax = fig.subplots()
    steps = [r["step"] for r in curve]
    ax.semilogy(steps, [r["w1"] for r in curve], color="tab:green", label="W1(p_g, p_data)")
    ax.semilogy(steps, [max(r["d_dev"], 1e-6) for r in curve], color="tab:blue", ls="--",
                label="mean |D(x) - 1/2| on mu +/- 2 sigma")
    ax.set_xlabel("G step")
    ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def run(report) -> None:
    """Train, snapshot four times, check D*, V(D*, G) and the JSD, and write the report."""
    size = SIZES[report.scale]
    cfg = load_config("gaussian1d_fig1", [f"train.steps={size['steps']}", "train.progress=false"])
    data = load_dataset(cfg.data)
    mu, sigma = float(data.modes[0, 0]), data.mode_std
    steps = size["steps"]
    snap_steps = [0, steps // 20, steps // 4, steps]
    snaps, curve = _train(cfg, data, size, snap_steps)
    early, end = snap_steps[1], steps
    checks = {f"step {s}": _theory_check(snaps[s][0], _converge_d(cfg, *snaps[s], data, size, seed=100 + s),
                                         data, size) for s in (early, end)}
    _write(report, cfg, data, size, snaps, curve, checks, (mu, sigma, early, end))


def _write(report, cfg, data, size, snaps, curve, checks, where) -> None:
    """Figures, tables, measurements and claims."""
    mu, sigma, early, end = where
    x_all = np.concatenate([_g_samples(G, 5000, seed=5) for G, _ in snaps.values()] + [np.array([-1.0, 1.0])])
    lo, hi = min(np.percentile(x_all, 0.5), mu - 3 * sigma, -1), max(np.percentile(x_all, 99.5), mu + 3 * sigma)
    x = np.linspace(lo - 0.3, hi + 0.3, 500)
    _figure1(snaps, data, x, report.out_dir / "fig1.png")
    _d_star_figure(checks, report.out_dir / "d_star.png")
    _curve_figure(curve, report.out_dir / "training.png")
    dev = {s: _core_deviation(D, mu, sigma) for s, (_, D) in snaps.items()}
    w1 = {r["step"]: r["w1"] for r in curve}
    report.text(f"Recipe `gaussian1d_fig1` (data N({mu:g}, {sigma:g}^2), z ~ U[-1, 1], MLP G {cfg.model.g_hidden}, "
                f"MLP D {cfg.model.d_hidden}, {cfg.loss.name} G loss, Adam), {size['steps']} G steps with k = "
                f"{cfg.train.n_critic}, trained by gankit's own training step; (G, D) copied at steps "
                f"{', '.join(map(str, sorted(snaps)))}.")
    report.figure(report.out_dir / "fig1.png", "Black dotted: p_data; green: p_g (KDE of 20,000 samples); blue dashed: "
                  "D(x), read on the 0, 1/2, 1 ticks (the densities share the axis unscaled, as in the paper); "
                  "below: lines from z to x = G(z).")
    report.table([{"step": s, "mean |D - 1/2| on mu +/- 2 sigma": dev[s], "W1 to data": w1.get(s)} for s in sorted(snaps)])
    report.figure(report.out_dir / "training.png", "W1 between G's samples and data samples, and D's distance from 1/2, "
                  "over training.")
    report.text(f"**D against D\\*.** For the G of step {early} and of step {end}, a copy of D was trained alone "
                f"against the fixed G for {size['d_steps']} steps of {size['d_batch']} fresh real and fake examples "
                f"(the last third at a tenth of the learning rate). p_g is a **histogram** of {size['n_pg']:,} G samples "
                f"(bins of width {checks[f'step {end}']['bin_width']:.3g}, spanning every sample); D* = p_data / (p_data "
                f"+ p_g) on the bin centres; differences are taken where p_data + p_g exceeds {SUPPORT_SHARE:.0%} of its "
                "peak. V(D*, G) is a Riemann sum of p_data log D* + p_g log(1 - D*); the JSD is computed separately "
                "as (KL(p_data||m) + KL(p_g||m)) / 2.")
    report.figure(report.out_dir / "d_star.png", "D trained to convergence with G held fixed (blue dashed) against D* "
                  "computed from the densities (black).")
    rows = [{"G at": name, "max |D - D*|": c["d_gap_max"], "at x": c["x_gap_max"], "G's range": f"[{c['g_min']:.2f}, "
             f"{c['g_max']:.2f}]", "95th pct |D - D*|": c["d_gap_p95"], "mean |D - D*|": c["d_gap_mean"],
             "V(D*, G)": c["v_dstar"], "-log 4 + 2 JSD": c["c_from_jsd"], "JSD": c["jsd"],
             "V(D trained, G)": c["v_dnet"]} for name, c in checks.items()]
    report.table(rows)
    c = checks[f"step {end}"]
    report.text(f"G maps the bounded interval of z onto a bounded range of x, so p_g falls to zero at the ends of "
                f"G's range and D* jumps there within one bin; a smooth D cannot follow a jump, which is why the max "
                f"gap is compared with where it occurs and with the 95th percentile. V(D*, G) and -log 4 + 2 JSD "
                f"differ only by rounding and by the Riemann sum of p_data falling short of 1 outside the grid. "
                f"At step {end} the D inside the training loop was within {dev[end]:.3f} of 1/2 on average over "
                f"mu +/- 2 sigma, while V(D*, G) = {c['v_dstar']:.4f} against -log 4 = {-math.log(4):.4f}, i.e. "
                f"JSD(p_data || p_g) = {c['jsd']:.4f} nats (W1 = {w1[end]:.3f}): a D near 1/2 during training is "
                "not by itself evidence that p_g = p_data; a D trained to convergence tells them apart.")
    _measure(report, dev, w1, checks, early, end)


def _measure(report, dev: dict, w1: dict, checks: dict, early: int, end: int) -> None:
    """results.json entries and summary claims."""
    for s in sorted(dev):
        report.measure(f"d_dev_step{s}", dev[s])
        report.measure(f"w1_step{s}", w1.get(s))
    report.claim("mean |D(x) - 1/2| on mu +/- 2 sigma", f"step {early}: {dev[early]:.3f}; step {end}: {dev[end]:.3f}",
                 "-> 0 as p_g -> p_data (Figure 1 (d))")
    report.claim("W1(p_g, p_data)", f"step 0: {w1[0]:.3f}; step {end}: {w1[end]:.3f}", "-> 0 at the global optimum")
    for s, key in ((early, f"step {early}"), (end, f"step {end}")):
        c = checks[key]
        for name in ("d_gap_max", "d_gap_p95", "x_gap_max", "g_min", "g_max", "d_gap_mean",
                     "v_dstar", "c_from_jsd", "jsd", "v_dnet"):
            report.measure(f"{name}_step{s}", c[name])
        report.measure(f"v_minus_c_step{s}", c["v_dstar"] - c["c_from_jsd"])
        report.claim(f"|D - D*| on support, G of step {s}", f"max {c['d_gap_max']:.3f} (x = {c['x_gap_max']:.2f}), 95th pct "
                     f"{c['d_gap_p95']:.3f}, mean {c['d_gap_mean']:.3f}",
                     "0 for D trained to convergence (Prop. 1)")
        report.claim(f"V(D*, G) vs -log 4 + 2 JSD, G of step {s}",
                     f"{c['v_dstar']:.4f} vs {c['c_from_jsd']:.4f} (diff {c['v_dstar'] - c['c_from_jsd']:.1e})",
                     "equal (Theorem 1); -log 4 = -1.3863 iff p_g = p_data")
