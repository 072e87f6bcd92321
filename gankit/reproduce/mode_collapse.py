"""Mode collapse on the ring of 8 and the grid of 25 Gaussians: minimax, non-saturating, WGAN, WGAN-GP."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.metrics.modes import mode_coverage
from gankit.objectives import generate, sample_z
from gankit.train.session import advance, start_session

TITLE = "Mode collapse on mixtures of Gaussians: minimax, non-saturating, WGAN and WGAN-GP"

# objective -> (recipe, overrides): the ring8 recipes' networks and optimisers.
VARIANTS = {
    "minimax": ("ring8_gan", ["loss.name=minimax"]),
    "non-saturating": ("ring8_gan", []),
    "WGAN (clip)": ("ring8_wgan", []),
    "WGAN-GP": ("ring8_wgangp", []),
}
DATA_OVERRIDES = {"ring8": [], "grid25": ["data.name=grid25"]}
# Steps are G steps; the WGAN variants take 5 critic steps each, so they cost 3-6x a GAN step
# (one thread: about 4.5, 4.5, 14 and 24 ms). The runs are independent and share the cores as
# one-thread processes, which puts default near 5 minutes on 2 quiet cores.
SIZES = {
    "tiny": {"datasets": ("ring8",), "seeds": 1, "steps": 20, "every": 10, "n_eval": 500},
    "default": {"datasets": ("ring8", "grid25"), "seeds": 2, "steps": 3000, "every": 250, "n_eval": 2500},
    "full": {"datasets": ("ring8", "grid25"), "seeds": 5, "steps": 10_000, "every": 500, "n_eval": 2500},
}
SIGMAS = 3.0
WORKERS = max(1, min(2, os.cpu_count() or 1))  # the runs are tiny: one thread each, one process per core
SNAPSHOTS = 5
LIMITS = {"ring8": 3.0, "grid25": 5.5}


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block, restoring the setting after."""
    # Networks this small gain nothing from threads, and on a shared machine
    # spinning OpenMP workers slow each step by an order of magnitude.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@torch.no_grad()
def coverage(G: torch.nn.Module, z: torch.Tensor, data) -> tuple[dict, torch.Tensor]:
    """Mode coverage of G's samples on fixed noise z (G in eval mode), and the samples."""
    fake = generate(G, z, chunk=len(z))
    return mode_coverage(fake, data.modes, data.mode_std, sigmas=SIGMAS), fake


def train_one(recipe: str, overrides: list[str], seed: int, size: dict) -> dict:
    """Train one objective with one seed; evaluate every size['every'] steps on a fixed noise batch."""
    cfg = load_config(recipe, overrides + [f"train.steps={size['steps']}", f"train.seed={seed}",
                                           "train.progress=false"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    z = sample_z(size["n_eval"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(1000 + seed))
    out = {"steps": [], "modes": [], "hq": [], "samples": [], "train_seconds": 0.0}

    def record():
        cov, fake = coverage(s.nets["G"], z, data)
        out["steps"].append(s.step)
        out["modes"].append(cov["modes_reached"])
        out["hq"].append(cov["high_quality_share"])
        out["samples"].append(fake.numpy())

    record()
    while s.step < size["steps"]:
        started = time.perf_counter()
        advance(s, data)
        out["train_seconds"] += time.perf_counter() - started
        if s.step % size["every"] == 0 or s.step == size["steps"]:
            record()
    out["modes_total"] = len(data.modes)
    return out


def _job(job: tuple[str, str, int], size: dict) -> dict:
    """One (dataset, objective, seed) run on one thread; a worker process's entry point."""
    dataset, name, seed = job
    recipe, overrides = VARIANTS[name]
    with one_thread():
        return train_one(recipe, overrides + DATA_OVERRIDES[dataset], seed, size)


def run_jobs(jobs: list[tuple[str, str, int]], size: dict, workers: int) -> dict:
    """{job: result} for every (dataset, objective, seed); in `workers` one-thread processes when > 1.

    Each run seeds its own networks, data and noise, so a result does not depend on where it ran.
    """
    if workers <= 1:
        return {job: _job(job, size) for job in jobs}
    # spawn, not fork: a forked child of a process that has used torch's thread pool can hang.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {job: pool.submit(_job, job, size) for job in jobs}
        return {job: future.result() for job, future in futures.items()}


def snapshot_figure(path, runs: dict, data, dataset: str) -> None:
    """Rows: objectives; columns: evenly spaced evaluations of seed 0; modes marked."""
    steps = runs[next(iter(runs))]["steps"]
    cols = np.unique(np.linspace(0, len(steps) - 1, SNAPSHOTS).round().astype(int))
    fig = Figure(figsize=(2.1 * len(cols), 2.2 * len(runs)), layout="constrained")
    axes = fig.subplots(len(runs), len(cols), squeeze=False)
    lim, modes = LIMITS[dataset], data.modes.numpy()
    for r, (name, run) in enumerate(runs.items()):
        for c, i in enumerate(cols):
            ax, fake = axes[r, c], run["samples"][i][:1000]
            ax.scatter(fake[:, 0], fake[:, 1], s=2, color="tab:green", alpha=0.4, rasterized=True)
            ax.scatter(modes[:, 0], modes[:, 1], s=25, color="black", marker="x", linewidths=1)
            ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim), ax.set_aspect("equal")
            ax.set_xticks([]), ax.set_yticks([])
            ax.set_title(f"step {run['steps'][i]}: {run['modes'][i]}/{len(modes)}", fontsize=8)
            if c == 0:
                ax.set_ylabel(name, fontsize=9)
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def curve_figure(path, runs: dict[str, list[dict]], dataset: str) -> None:
    """Modes reached and high-quality share vs step: mean over seeds, shaded min to max."""
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax_m, ax_q = fig.subplots(1, 2)
    for name, seeds in runs.items():
        steps = seeds[0]["steps"]
        for ax, key in ((ax_m, "modes"), (ax_q, "hq")):
            values = np.array([run[key] for run in seeds], dtype=float)  # (seeds, evaluations)
            line, = ax.plot(steps, values.mean(0), label=name)
            ax.fill_between(steps, values.min(0), values.max(0), color=line.get_color(), alpha=0.15)
    total = runs[next(iter(runs))][0]["modes_total"]
    ax_m.set_ylim(-0.3, total + 0.3)
    ax_m.set(xlabel="G step", ylabel=f"modes reached (of {total})", title=f"{dataset}: modes reached")
    ax_q.set(xlabel="G step", ylabel=f"share within {SIGMAS:g} std of a mode", title=f"{dataset}: high-quality share")
    ax_q.set_ylim(-0.02, 1.02)
    ax_m.legend(fontsize="small")
    for ax in (ax_m, ax_q):
        ax.grid(True, alpha=0.3)
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def _mean_std(values) -> str:
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3g} ± {values.std():.2g}"


def summarise(report, dataset: str, runs: dict[str, list[dict]]) -> list[dict]:
    """Measure each objective's final and peak coverage; return table rows."""
    rows = []
    for name, seeds in runs.items():
        final_m = [run["modes"][-1] for run in seeds]
        final_q = [run["hq"][-1] for run in seeds]
        # Peaks count from the first evaluation after step 0: the untrained G sits on the centre mode of grid25.
        peak_m = [max(run["modes"][1:]) for run in seeds]
        key = f"{dataset}.{name}"
        report.measure(f"{key}.final_modes_reached", final_m)
        report.measure(f"{key}.final_modes_reached_mean", float(np.mean(final_m)))
        report.measure(f"{key}.final_high_quality_share", final_q)
        report.measure(f"{key}.final_high_quality_share_mean", float(np.mean(final_q)))
        report.measure(f"{key}.peak_modes_reached", peak_m)
        report.measure(f"{key}.curve_steps", seeds[0]["steps"])
        report.measure(f"{key}.curve_modes_reached_mean", np.mean([r["modes"] for r in seeds], 0).tolist())
        report.measure(f"{key}.curve_high_quality_share_mean", np.mean([r["hq"] for r in seeds], 0).tolist())
        ms = 1000 * sum(r["train_seconds"] for r in seeds) / sum(r["steps"][-1] for r in seeds)
        report.measure(f"{key}.ms_per_step", ms)
        rows.append({"dataset": dataset, "objective": name,
                     "modes reached (final)": f"{_mean_std(final_m)} of {seeds[0]['modes_total']}",
                     "high-quality share (final)": _mean_std(final_q),
                     "peak modes reached (step > 0)": _mean_std(peak_m),
                     "per seed (final)": ", ".join(map(str, final_m)),
                     "ms / G step": round(ms, 1)})
    return rows


def observe(dataset: str, runs: dict[str, list[dict]]) -> str:
    """A sentence of what the numbers show, derived from them."""
    total = runs[next(iter(runs))][0]["modes_total"]
    finals = {n: float(np.mean([r["modes"][-1] for r in s])) for n, s in runs.items()}
    best, worst = max(finals, key=finals.get), min(finals, key=finals.get)
    dropped = [n for n, s in runs.items() if any(max(r["modes"][1:]) > r["modes"][-1] for r in s)]
    if finals[best] == finals[worst]:
        text = f"On **{dataset}** every objective ended with {finals[best]:.3g} of {total} modes reached on average."
    else:
        text = (f"On **{dataset}** the most modes at the end were reached by {best} ({finals[best]:.3g} of {total} "
                f"on average) and the fewest by {worst} ({finals[worst]:.3g}).")
    if dropped:
        text += (f" Runs of {', '.join(dropped)} ended with fewer modes than they had reached earlier in training, "
                 "i.e. modes were dropped, not only never found (while few samples sit on the modes, counts "
                 "near the 1% threshold also flicker, so this alone is weak evidence of collapse).")
    else:
        text += " No run ended with fewer modes than its own peak."
    shares = {n: float(np.mean([r["hq"][-1] for r in s])) for n, s in runs.items()}
    if max(shares.values()) < 0.5:
        text += (f" No objective has converged at this budget: at most {max(shares.values()):.1%} of the samples "
                 f"lie within {SIGMAS:g} std of a mode, so these counts show how far training got rather than "
                 "which objective collapses; the snapshots show whether the samples are spreading over the "
                 "modes or bunching on a few.")
    return text


def run(report) -> None:
    """Train every objective on each dataset with several seeds; figures, table and claims."""
    size = SIZES[report.scale]
    started, rows = time.perf_counter(), []
    report.text(
        f"Each objective trains the ring8 recipes' MLPs (3 x 128 units, 2-d Gaussian noise, batch 256) "
        f"for {size['steps']} G steps with {size['seeds']} seed(s); minimax is `ring8_gan` with "
        f"`loss.name=minimax`, non-saturating is `ring8_gan`, WGAN is `ring8_wgan` (clip 0.01, RMSprop 5e-5, "
        f"5 critic steps) and WGAN-GP is `ring8_wgangp` (lambda 10, Adam 1e-4, 5 critic steps). Every "
        f"{size['every']} steps G (eval mode) maps a fixed batch of {size['n_eval']} noise vectors. "
        f"**Criterion** (`gankit.metrics.mode_coverage`): a sample is high quality when it lies within "
        f"{SIGMAS:g} standard deviations ({SIGMAS:g} x mode_std) of its nearest mode; a mode is reached when "
        "it holds at least 1% of the samples as high-quality ones.")
    # The costliest objectives (listed last) first, so the processes finish together.
    jobs = [(dataset, name, seed) for name in reversed(VARIANTS) for dataset in size["datasets"]
            for seed in range(size["seeds"])]
    workers = 1 if report.scale == "tiny" else WORKERS
    done = run_jobs(jobs, size, workers)
    with one_thread():
        for dataset in size["datasets"]:
            runs = {name: [done[dataset, name, seed] for seed in range(size["seeds"])] for name in VARIANTS}
            data = load_dataset(load_config(VARIANTS["minimax"][0], DATA_OVERRIDES[dataset]).data)
            snap, curves = report.out_dir / f"snapshots_{dataset}.png", report.out_dir / f"curves_{dataset}.png"
            snapshot_figure(snap, {n: s[0] for n, s in runs.items()}, data, dataset)
            curve_figure(curves, runs, dataset)
            report.text(f"## {dataset} ({len(data.modes)} modes, std {data.mode_std:g})")
            report.figure(snap, f"{dataset}, seed 0: 1000 of the fixed-noise samples (green) at evenly spaced "
                                f"steps; black crosses are the modes; titles give modes reached. Axes are fixed "
                                f"at ±{LIMITS[dataset]:g}, so samples farther out are not shown.")
            report.figure(curves, f"{dataset}: mean over {size['seeds']} seed(s), shaded from the lowest to the "
                                  "highest seed.")
            dataset_rows = summarise(report, dataset, runs)
            rows += dataset_rows
            report.text(observe(dataset, runs))
            for name, seeds in runs.items():
                report.claim(f"{dataset} {name}: modes reached; high-quality share",
                             f"{_mean_std([r['modes'][-1] for r in seeds])} of {len(data.modes)}; "
                             f"{_mean_std([r['hq'][-1] for r in seeds])}",
                             "WGAN-GP most modes; GANs may collapse (Metz 2017, Gulrajani 2017)")
    report.text("## Final coverage (mean ± std over seeds)")
    report.table(rows)
    wall = time.perf_counter() - started
    report.measure("seeds", size["seeds"])
    report.measure("steps", size["steps"])
    report.measure("sigmas", SIGMAS)
    report.measure("wall_seconds", wall)
    report.measure("workers", workers)
    report.text(f"Wall time {wall:.0f} s for {len(rows)} objective/dataset pairs x {size['seeds']} seed(s), run "
                f"in {workers} one-thread process(es); the "
                "step budget follows from the per-step costs in the table (WGAN variants take 5 critic steps per "
                f"G step). Short CPU runs: the picture can change with more steps (`--full`: "
                f"{SIZES['full']['seeds']} seeds, {SIZES['full']['steps']} steps).")
