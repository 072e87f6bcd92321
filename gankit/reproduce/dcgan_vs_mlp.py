"""DCGAN (Radford et al. 2015) against the common MLP GAN on Fashion-MNIST, given the same training time."""

from __future__ import annotations

import time

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.metrics.evaluate import feature_metrics, reference_features, split_of
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features
from gankit.models import count_parameters
from gankit.objectives import generate, sample_z
from gankit.reproduce.datasets import DCGAN_PAPER, image_data
from gankit.train.session import advance, start_session
from gankit.viz.grid import save_grid

TITLE = "DCGAN against the MLP GAN at equal training time"

# name -> recipe; both keep their own networks, z and init and share the loss, Adam settings and batch.
VARIANTS = {"DCGAN": "dcgan_fashion", "MLP GAN": "mlp_mnist"}
SHARED = ["train.ema=0", "train.batch_size=64", "train.progress=false", "loss.name=nonsaturating"] + DCGAN_PAPER
# seconds: training time per model (evaluation not counted); checks: FID evaluations on n_curve
# samples at evenly spaced times; n_final: samples for the final metrics; n_real: test images (None: all).
SIZES = {
    "tiny": {"seconds": 1.0, "checks": 2, "n_curve": 200, "n_final": 300, "n_real": 1000},
    "default": {"seconds": 90.0, "checks": 6, "n_curve": 2000, "n_final": 10_000, "n_real": None},
    "full": {"seconds": 600.0, "checks": 12, "n_curve": 2000, "n_final": 10_000, "n_real": None},
}
METRICS = ("fid", "kid", "pr", "dc")


class Scorer:
    """FID and friends against the test split, in the shipped domain classifier's features."""

    def __init__(self, data_cfg, extractor_name: str, n_real: int | None = None):
        self.extractor = load_extractor(extractor_name)
        test = load_dataset(split_of(data_cfg, "test")).images[:n_real]
        self.real_f, self.real_p = reference_features(test, extractor_name, self.extractor)
        self.n_real = len(test)

    def fid(self, G, z) -> float:
        return fid_from_features(self.real_f, extract_features(generate(G, z), self.extractor)[0])

    def all(self, fake) -> dict:
        fake_f, fake_p = extract_features(fake, self.extractor)
        return feature_metrics(METRICS, self.real_f, self.real_p, fake_f, fake_p, torch.Generator().manual_seed(0))


SLICE_SECONDS = 5.0  # each contender trains this long before the next one's turn


class Contender:
    """One recipe's session trained against the clock; FID at evenly spaced moments of its own training time."""

    def __init__(self, recipe: str, overrides: list[str], size: dict, scorer: Scorer):
        self.cfg = load_config(recipe, SHARED + overrides)  # the caller's overrides win (e.g. fgan's loss.name)
        self.data = load_dataset(self.cfg.data)
        self.s = start_session(self.cfg, self.data, "cpu")
        self.scorer, self.size, self.seconds = scorer, size, 0.0
        self.z = sample_z(size["n_curve"], self.cfg.model.z_dim, self.cfg.model.z_dist, torch.Generator().manual_seed(7))
        self.marks = list(np.linspace(0, size["seconds"], size["checks"] + 1)[1:])
        self.curve = [(0.0, 0, scorer.fid(self.s.nets["G"], self.z))]

    def train(self, budget: float) -> None:
        """Train until `budget` more seconds have passed or its time is up; score at each mark passed."""
        end = self.seconds + budget
        while self.marks and self.seconds < end:
            started = time.perf_counter()
            advance(self.s, self.data)
            self.seconds += time.perf_counter() - started
            if self.seconds >= self.marks[0]:
                self.marks.pop(0)
                self.curve.append((self.seconds, self.s.step, self.scorer.fid(self.s.nets["G"], self.z)))

    def result(self) -> dict:
        cfg, s = self.cfg, self.s
        final_z = sample_z(self.size["n_final"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(8))
        fake = generate(s.nets["G"], final_z)
        return {"cfg": cfg, "G": s.nets["G"], "D": s.nets["D"], "curve": self.curve, "seconds": self.seconds,
                "steps": s.step, "fake": fake, "metrics": self.scorer.all(fake)}


def train_together(contenders: dict[str, tuple[str, list[str]]], size: dict, scorer: Scorer,
                   errors: tuple = ()) -> dict:
    """{name: result} after size['seconds'] of training time each, trained in interleaved slices so that a machine
    that slows down for a while slows every contender alike; a contender that raises one of `errors` is dropped
    and its exception is its result."""
    live, out = {}, {}
    for name, (recipe, overrides) in contenders.items():
        try:
            live[name] = Contender(recipe, overrides, size, scorer)
        except errors as exc:
            out[name] = exc
    while live:
        for name in list(live):
            try:
                live[name].train(SLICE_SECONDS)
                if not live[name].marks:
                    out[name] = live.pop(name).result()
            except errors as exc:  # e.g. a divergence whose run goes non-finite
                live.pop(name)
                out[name] = exc
    return {name: out[name] for name in contenders}


def curve_figure(runs: dict, path) -> None:
    """FID against training seconds, one line per model."""
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.subplots()
    for (name, r), colour in zip(runs.items(), ("tab:blue", "tab:orange")):
        t, _, fid = zip(*r["curve"])
        ax.plot(t, fid, "o-", color=colour, label=f"{name} ({r['steps']} steps)")
    ax.set(xlabel="training time (s)", ylabel="FID (domain classifier features)", yscale="log",
           title="Sample quality against training time")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def run(report) -> None:
    """Train both models for the same time, then compare FID, KID, precision/recall, density/coverage, grids."""
    size, started = SIZES[report.scale], time.perf_counter()
    choice = image_data(digits_resolution=16)
    scorer = Scorer(load_config("dcgan_fashion", choice.overrides).data, choice.extractor, size["n_real"])
    runs = train_together({name: (recipe, choice.overrides) for name, recipe in VARIANTS.items()}, size, scorer)
    for name, r in runs.items():
        save_grid(r["fake"][:64], report.out_dir / f"samples_{name.split()[0].lower()}.png", nrow=8, scale=2)
    curve_figure(runs, report.out_dir / "fid_vs_time.png")
    write(report, runs, size, choice, scorer, time.perf_counter() - started)


def write(report, runs: dict, size: dict, choice, scorer: Scorer, wall: float) -> None:
    """Measurements, claims, the table and the text."""
    rows = []
    for name, r in runs.items():
        key, m = name.split()[0].lower(), r["metrics"]
        params = (count_parameters(r["G"]), count_parameters(r["D"]))
        values = {"steps": r["steps"], "train_seconds": r["seconds"], "ms_per_step": 1000 * r["seconds"] / r["steps"],
                  "g_parameters": params[0], "d_parameters": params[1],
                  "curve": [list(p) for p in r["curve"]], **m}
        for field, value in values.items():
            report.measure(f"{key}.{field}", value)
        rows.append({"model": name, "steps": r["steps"], "ms/step": values["ms_per_step"],
                     "G / D parameters": f"{params[0]:,} / {params[1]:,}", "FID": m["fid"],
                     "KID": m["kid"], "precision": m["precision"], "recall": m["recall"],
                     "density": m["density"], "coverage": m["coverage"]})
    d, p = runs["DCGAN"]["metrics"], runs["MLP GAN"]["metrics"]
    report.claim("FID after equal training time, DCGAN vs MLP GAN", f"{d['fid']:.1f} vs {p['fid']:.1f}",
                 "DCGAN lower (Radford et al. 2015)")
    report.claim("precision, DCGAN vs MLP GAN", f"{d['precision']:.3f} vs {p['precision']:.3f}", "DCGAN higher")
    report.claim("recall, DCGAN vs MLP GAN", f"{d['recall']:.3f} vs {p['recall']:.3f}", "DCGAN higher")
    report.measure("dataset", choice.label)
    report.measure("wall_seconds", wall)
    dc, mlp = (runs[n]["cfg"] for n in VARIANTS)
    report.text(
        f"Data: **{choice.label}**. Each model trains for {size['seconds']:g} s of training time on this "
        f"machine (the time inside the training steps; evaluation is not counted; the two take turns in "
        f"{SLICE_SECONDS:g} s slices, so that a machine that slows down for a while slows both alike), with the same "
        f"non-saturating loss, Adam lr {dc.g_optim.lr:g} betas {dc.g_optim.betas}, batch "
        f"{dc.train.batch_size}, seed {dc.train.seed} and no EMA. DCGAN (`{VARIANTS['DCGAN']}`): strided "
        f"(transposed) convolutions, batch norm, width {dc.model.width}, {dc.model.z_dim}-d normal noise. MLP GAN "
        f"(`{VARIANTS['MLP GAN']}`): G {mlp.model.z_dim}-{'-'.join(map(str, mlp.model.g_hidden))}-784 (ReLU, "
        f"tanh), D {'-'.join(map(str, mlp.model.d_hidden))} (LeakyReLU, dropout {mlp.model.dropout}).\n\n"
        f"Metrics: {size['n_final']:,} samples (G in eval mode) against the {scorer.n_real:,} test images in the "
        f"`{choice.extractor}` classifier's features: FID, KID, precision and recall (k = 3), density "
        f"and coverage (k = 5). The curve uses {size['n_curve']:,} samples on fixed noise, which biases FID "
        "upwards; compare the curves with each other, not with the final numbers. Steps per second depend on "
        "the machine, so the step counts (and the outcome at a short budget) vary from one machine to another.")
    report.table(rows)
    report.figure(report.out_dir / "fid_vs_time.png", "FID against training time (log scale).")
    report.figure(report.out_dir / "samples_dcgan.png", "DCGAN samples.")
    report.figure(report.out_dir / "samples_mlp.png", "MLP GAN samples.")
    report.text(f"Wall time {wall:.0f} s in all. One seed per model; `--full` trains each for "
                f"{SIZES['full']['seconds']:g} s.")
