"""f-GAN (Nowozin et al. 2016): what the choice of f-divergence does to a GAN.

1-D: one Gaussian fitted to a two-Gaussian mixture under each divergence, against the true minimiser
over the Gaussians (quadrature and Nelder-Mead), and the critic's estimate of the divergence against
its true value during training. Then the same objectives on the ring of 8 Gaussians (modes reached,
as `gankit reproduce mode-collapse` measures them) and, at full scale, on Fashion-MNIST with the
DCGAN nets at equal training time (domain FID, as `gankit reproduce dcgan` measures it).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.losses import DIVERGENCES
from gankit.reproduce import dcgan_vs_mlp, fgan_1d, mode_collapse
from gankit.reproduce.datasets import image_data
from gankit.reproduce.fgan_1d import MODE_STD, MODES, TOLERANCE, Grid, data_moments, mixture, true_minimiser

TITLE = "f-GAN: every f-divergence as a GAN objective (Nowozin et al. 2016)"

# 1-D runs: G steps, seeds, evaluation interval, quadrature grid, eval samples; D, optimisers and EMA.
# ring8 / fashion: their sizes, or None to skip them (six FID scorings would take default past a few minutes).
ONE_D = {"d_hidden": [64, 64], "g_lr": 5e-3, "d_lr": 1e-3, "batch": 256, "ema": 0.99}
SIZES = {
    "tiny": {"steps": 30, "seeds": 1, "every": 10, "grid": 2001, "n_eval": 2000,
             "ring8": {"seeds": 1, "steps": 10, "every": 10, "n_eval": 500},
             "fashion": {"seconds": 0.3, "checks": 1, "n_curve": 200, "n_final": 300, "n_real": 1000,
                         "divergences": ("kl",)}},  # scoring costs seconds per run: one divergence shows the path
    "default": {"steps": 2500, "seeds": 3, "every": 50, "grid": 8001, "n_eval": 20_000,
                "ring8": {"seeds": 1, "steps": 3000, "every": 500, "n_eval": 2500}, "fashion": None},
    "full": {"steps": 6000, "seeds": 5, "every": 100, "grid": 8001, "n_eval": 20_000,
             "ring8": {"seeds": 3, "steps": 10_000, "every": 500, "n_eval": 2500},
             "fashion": {"seconds": 120.0, "checks": 4, "n_curve": 2000, "n_final": 10_000, "n_real": None}},
}
EXPECT = {"kl": ": covers both modes (wide)", "reverse_kl": ": seeks one mode (narrow)"}
WORKERS = max(1, min(2, os.cpu_count() or 1))


def fgan_overrides(div: str) -> list[str]:
    """The --set overrides that turn a recipe's loss into the f-GAN loss of `div` (G: the paper's heuristic)."""
    return ["loss.name=fgan", f"loss.divergence={div}", "loss.fgan_g=nonsaturating"]


def _job(job: tuple, size: dict) -> dict:
    """One run on one thread: ("1d", div, seed) or ("ring8", div, seed); a worker process's entry point."""
    kind, div, seed = job
    with mode_collapse.one_thread():
        if kind == "1d":
            return fgan_1d.train_1d(div, seed, size | ONE_D)
        run = mode_collapse.train_one("ring8_gan", fgan_overrides(div), seed, size["ring8"])
        run["diverged"] = not all(np.isfinite(s).all() for s in run["samples"][1:])
        return run


def run_jobs(jobs: list[tuple], size: dict, workers: int) -> dict:
    """{job: result}; in `workers` one-thread processes when > 1 (each run seeds itself, so results do not
    depend on where they ran)."""
    if workers <= 1:
        return {job: _job(job, size) for job in jobs}
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {job: pool.submit(_job, job, size) for job in jobs}
        return {job: future.result() for job, future in futures.items()}


def _ms(values) -> str:
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).all():  # e.g. Pearson chi^2 of a Gaussian narrower than the data: infinite
        return ", ".join(f"{v:.3g}" for v in values)
    return f"{values.mean():.3f} ± {values.std():.3f}"


def one_d_rows(report, runs: dict, minimisers: dict, grid: Grid, scale: float) -> tuple[list[dict], dict]:
    """Per divergence: true minimiser vs the fits over seeds; which seeds land within the tolerance."""
    rows, verdicts = [], {}
    for div, seeds in runs.items():
        mu0, s0, d0 = minimisers[div]
        ok, notes = [], []
        for r in seeds:
            if r["diverged_at"] is not None:
                notes.append(f"seed {r['seed']} diverged (non-finite loss by step {r['diverged_at']})")
                ok.append(False)
                continue
            err = max(abs(r["final_mu"] - mu0), abs(r["final_sigma"] - s0)) / scale
            ok.append(err <= TOLERANCE)
            if not ok[-1]:
                lmu, ls, ld = fgan_1d.local_minimiser(div, grid, r["final_mu"], r["final_sigma"])
                where = (f"a local minimiser N({lmu:.2f}, {ls:.2f}²)" if max(abs(lmu - mu0), abs(ls - s0)) / scale
                         > TOLERANCE else "not converged to the minimiser")
                notes.append(f"seed {r['seed']} off by {err:.2f} data std ({where})")
        verdicts[div] = (sum(ok), len(ok), notes)
        fin = [r for r in seeds if r["diverged_at"] is None]
        key = f"1d.{div}"
        for field, value in (("true_mu", mu0), ("true_sigma", s0), ("true_min_divergence", d0),
                             ("fitted_mu", [r["final_mu"] for r in seeds]),
                             ("fitted_sigma", [r["final_sigma"] for r in seeds]),
                             ("divergence_reached", [r["final_true"] for r in seeds]),
                             ("final_critic_estimate", [r["estimate"][-1] for r in seeds]),
                             ("within_tolerance", ok), ("diverged_at", [r["diverged_at"] for r in seeds]),
                             ("curve_steps", seeds[0]["steps"]),
                             ("curve_estimate", [r["estimate"] for r in seeds]), ("curve_true", [r["true"] for r in seeds])):
            report.measure(f"{key}.{field}", value)
        rows.append({"divergence": div, "true mu": mu0, "true sigma": s0, "true min D_f": d0,
                     "fitted mu": _ms([r["final_mu"] for r in fin]) if fin else "diverged",
                     "fitted sigma": _ms([r["final_sigma"] for r in fin]) if fin else "diverged",
                     "D_f reached": _ms([r["final_true"] for r in fin]) if fin else "diverged",
                     "critic's estimate (last)": _ms([r["estimate"][-1] for r in fin]) if fin else "diverged",
                     f"seeds within {TOLERANCE:g} std": f"{sum(ok)} / {len(ok)}"})
    return rows, verdicts


def one_d(report, size: dict, done: dict) -> None:
    """The 1-D experiment's text, table, figures and claims."""
    data = mixture()
    grid = Grid(data, size["grid"])
    mean, sd = data_moments(data)
    minimisers = {div: true_minimiser(div, data, grid) for div in DIVERGENCES}
    runs = {div: [done["1d", div, seed] for seed in range(size["seeds"])] for div in DIVERGENCES}
    weights = {m: MODES.count(m) / len(MODES) for m in dict.fromkeys(MODES)}
    report.text("## 1-D: one Gaussian fitted to a mixture\n\n"
                f"Data P = {' + '.join(f'{w:.3g} N({m:g}, {MODE_STD:g}²)' for m, w in weights.items())} (mean "
                f"{mean:.3g}, std {sd:.3g}). The model Q is G(z) = mu + sigma z, z ~ N(0, 1) (gankit's MLP "
                f"generator with no hidden layer), so it can only be a Gaussian; each divergence D_f(P || Q) has "
                "its own best Gaussian, found by Nelder-Mead on (mu, log sigma) over the trapezoid-rule value of "
                f"D_f on {size['grid']:,} points (best of several starts: the data's moments and each mode). "
                f"D is gankit's MLP discriminator {ONE_D['d_hidden']} (LeakyReLU 0.2). Each run trains "
                f"{size['steps']} G steps (one D step each, batch {ONE_D['batch']}, Adam betas (0.5, 0.999), lr "
                f"{ONE_D['d_lr']:g} for D and {ONE_D['g_lr']:g} for G) with G's loss the bound itself "
                "(`loss.fgan_g=saturating`), so that G descends the critic's estimate of D_f; the non-saturating "
                "heuristic's gradient is not that gradient, and with a model that cannot match the data its fixed "
                f"point need not be the minimiser (not measured here). The fit reported is an EMA (decay {ONE_D['ema']:g}) of G's two "
                f"parameters. KL(P || Q), P the data, is the mass-covering direction. A fit counts as found when "
                f"both mu and sigma lie within {TOLERANCE:g} data std ({TOLERANCE * sd:.3g}) of the minimiser.")
    rows, verdicts = one_d_rows(report, runs, minimisers, grid, sd)
    report.table(rows)
    fit, est = report.out_dir / "fit_1d.png", report.out_dir / "estimate_1d.png"
    fgan_1d.fit_figure(fit, data, grid, minimisers, runs)
    fgan_1d.estimate_figure(est, runs, minimisers)
    report.figure(fit, "The data density (grey), each divergence's best Gaussian (dashed) and each seed's fit.")
    report.figure(est, f"The critic's objective E_P[T] - E_Q[f*(T)] on {size['n_eval']:,} fixed samples (solid) "
                       "and the true D_f(P || Q) of the current G by quadrature (dashed), per seed; dotted: the "
                       "minimum over Gaussians. Every critic's value is a lower bound on D_f (tight at T = f'(p/q)); "
                       "on a finite sample it can exceed D_f by sampling error.")
    missed = [f"{div}: {', '.join(notes)}" for div, (_, _, notes) in verdicts.items() if notes]
    report.text("Which fits missed: " + ("; ".join(missed) + "." if missed else "none; every seed of every divergence "
                f"landed within {TOLERANCE:g} data std of its own minimiser."))
    gaps = {div: float(np.mean([abs(r["estimate"][-1] - r["true"][-1]) for r in rs if r["diverged_at"] is None]
                               or [math.nan])) for div, rs in runs.items()}
    same = [r["final_mu"] for r in runs["js"]] == [r["final_mu"] for r in runs["gan"]]
    report.text(f"js and gan {'trained identically' if same else 'did NOT train identically'}; by construction their "
                "D losses differ by the constant log 4 and their G losses by log 2, so the same seed should give the "
                "same run (gan's D_f is 2 JSD - log 4, js's 2 JSD). Mean |critic's estimate - true D_f| at the last step: " +
                ", ".join(f"{d} {g:.3g}" for d, g in gaps.items()) + ".")
    for div, (good, total, _) in verdicts.items():
        mu0, s0, _ = minimisers[div]
        fits = [r for r in runs[div] if r["diverged_at"] is None]
        report.claim(f"1-D {div}: fitted (mu, sigma), mean over seeds",
                     (f"({np.mean([r['final_mu'] for r in fits]):.3f}, {np.mean([r['final_sigma'] for r in fits]):.3f})"
                      if fits else "diverged") + f"; {good}/{total} seeds within {TOLERANCE:g} std",
                     f"its minimiser ({mu0:.3f}, {s0:.3f})" + EXPECT.get(div, ""))


def ring8(report, size: dict, done: dict) -> None:
    """The ring of 8 Gaussians under each divergence, measured by mode-collapse's coverage."""
    sub = size["ring8"]
    runs = {div: [done["ring8", div, seed] for seed in range(sub["seeds"])] for div in DIVERGENCES}
    report.text(f"## Ring of 8 Gaussians\n\nThe `ring8_gan` recipe (MLPs 3 x 128, batch 256, Adam 2e-4) with "
                f"`loss.name=fgan` and each divergence (`loss.fgan_g=nonsaturating`), {sub['steps']} G steps, "
                f"{sub['seeds']} seed(s); coverage as `gankit reproduce mode-collapse` measures it (a sample is "
                f"high quality within {mode_collapse.SIGMAS:g} std of a mode; a mode is reached when it holds 1% of "
                "the samples as high-quality ones).")
    diverged = [div for div, rs in runs.items() if any(r["diverged"] for r in rs)]
    rows = mode_collapse.summarise(report, "ring8", runs)
    for row in rows:
        row.pop(mode_collapse.PUBLISHED_COLUMN)  # the ring has no published protocol
        row["diverged"] = "yes" if row["objective"] in diverged else "no"
    report.table(rows)
    path, snap = report.out_dir / "curves_ring8.png", report.out_dir / "snapshots_ring8.png"
    mode_collapse.curve_figure(path, runs, "ring8")
    data = load_dataset(load_config("ring8_gan").data)
    mode_collapse.snapshot_figure(snap, {div: rs[0] for div, rs in runs.items()}, data, "ring8")
    report.figure(snap, "ring8, seed 0: 1000 fixed-noise samples (green) at evenly spaced steps; black crosses are "
                        "the modes; titles give modes reached.")
    report.figure(path, "ring8: modes reached and high-quality share against G step, per divergence.")
    report.text(mode_collapse.observe("ring8", runs) + (f" Runs that diverged (non-finite samples): "
                                                         f"{', '.join(diverged)}." if diverged else " No run diverged."))


def fashion(report, size: dict) -> None:
    """Fashion-MNIST (or the digits) with the DCGAN nets, every divergence for the same training time."""
    sub, choice = size["fashion"], image_data(digits_resolution=16)
    scorer = dcgan_vs_mlp.Scorer(load_config("dcgan_fashion", choice.overrides).data, choice.extractor, sub["n_real"])
    report.text(f"## {choice.label}, DCGAN nets\n\n`dcgan_fashion` with the DCGAN paper's Adam (2e-4, beta1 0.5), "
                f"fresh noise for G and `loss.fgan_g=nonsaturating`, each divergence for {sub['seconds']:g} s of "
                f"training time (seed 0; trained in interleaved {dcgan_vs_mlp.SLICE_SECONDS:g} s slices, so that a "
                f"machine that slows down for a while slows every divergence alike); FID on {sub['n_final']:,} "
                f"samples in the `{choice.extractor}` classifier's features against the test split (`gankit reproduce dcgan`'s scorer).")
    rows, failed = [], []
    divergences = sub.get("divergences", DIVERGENCES)
    runs = dcgan_vs_mlp.train_together(
        {div: ("dcgan_fashion", choice.overrides + fgan_overrides(div)) for div in divergences}, sub, scorer,
        errors=(GankitError, ValueError, RuntimeError, np.linalg.LinAlgError))  # a diverged run is a result
    for div, r in runs.items():
        if isinstance(r, Exception):
            fid, steps, curve = math.nan, None, []
            failed.append(f"{div} ({r})")
        else:
            fid, steps, curve = r["metrics"]["fid"], r["steps"], [list(p) for p in r["curve"]]
            lc = r["cfg"].loss
            report.measure(f"fashion.{div}.loss", f"{lc.name}/{lc.divergence}/{lc.fgan_g}")  # what really trained
        fid = fid if math.isfinite(fid) else math.nan
        for field, value in (("fid", fid), ("steps", steps), ("curve_seconds_step_fid", curve)):
            report.measure(f"fashion.{div}.{field}", value)
        rows.append({"divergence": div, "G steps": steps, "FID": fid if math.isfinite(fid) else "diverged / failed"})
    report.table(rows)
    scored = {r["divergence"]: r["FID"] for r in rows if isinstance(r["FID"], float)}
    text = (f"Lowest FID: {min(scored, key=scored.get)} ({min(scored.values()):.1f}); highest: "
            f"{max(scored, key=scored.get)} ({max(scored.values()):.1f}). " if scored else "No run could be scored. ")
    report.text(text + (f"Failed or diverged: {'; '.join(failed)}." if failed else "Every run trained and was scored."))


def run(report) -> None:
    """The 1-D fits, then ring8 and (full scale) Fashion-MNIST; figures, tables, claims."""
    size, started = SIZES[report.scale], time.perf_counter()
    jobs = [("1d", div, seed) for seed in range(size["seeds"]) for div in DIVERGENCES]
    if size["ring8"]:
        jobs = [("ring8", div, seed) for seed in range(size["ring8"]["seeds"]) for div in DIVERGENCES] + jobs
    workers = 1 if report.scale == "tiny" else WORKERS
    done = run_jobs(jobs, size, workers)
    with mode_collapse.one_thread():
        one_d(report, size, done)
        if size["ring8"]:
            ring8(report, size, done)
    if size["fashion"]:
        fashion(report, size)
    wall = time.perf_counter() - started
    report.measure("wall_seconds", wall)
    report.measure("seeds", size["seeds"])
    report.measure("steps", size["steps"])
    report.text(f"Wall time {wall:.0f} s in {workers} one-thread process(es). `--full`: {SIZES['full']['seeds']} "
                f"seeds x {SIZES['full']['steps']} steps in 1-D, ring8 with {SIZES['full']['ring8']['seeds']} seeds, "
                "and Fashion-MNIST.")
