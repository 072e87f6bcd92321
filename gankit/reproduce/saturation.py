"""Why G maximises log D(G(z)): the minimax and non-saturating G losses compared early in training."""

from __future__ import annotations

import copy

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import apply_overrides, load_config
from gankit.data import load_dataset
from gankit.metrics import fid_from_features, wasserstein1
from gankit.metrics.evaluate import split_of
from gankit.metrics.features import extract_features, load_extractor
from gankit.objectives import gan, generate, sample_z
from gankit.reproduce.datasets import DCGAN_PAPER, image_data
from gankit.train.session import advance, start_session

TITLE = "Saturation of the minimax generator loss: log(1 - D(G(z))) against -log D(G(z))"

LOSS_NAMES = ("minimax", "nonsaturating")
# warmup: D-only steps before G moves, so D starts out rejecting G's samples confidently.
SIZES = {
    "tiny": dict(toy=dict(steps=30, warmup=20, every=10, n_metric=1000),
                 image=dict(steps=4, warmup=2, every=2, n_metric=100, limit=2000)),
    "default": dict(toy=dict(steps=1000, warmup=200, every=25, n_metric=5000),
                    image=dict(steps=500, warmup=50, every=50, n_metric=1000, limit=None)),
    "full": dict(toy=dict(steps=3000, warmup=200, every=50, n_metric=10_000),
                 image=dict(steps=2000, warmup=100, every=100, n_metric=2000, limit=None)),
}
EARLY = 100  # the "early training" window of the claims, in G steps


def _grad_norm(module: torch.nn.Module) -> float:
    """The total L2 norm of the gradients held by a module's parameters."""
    norms = [p.grad.detach().norm() for p in module.parameters() if p.grad is not None]
    return float(torch.stack(norms).norm()) if norms else 0.0


def _warm_up_d(s, data, steps: int) -> None:
    """D-only steps against the untrained G, as the first k steps of Algorithm 1 with G paused."""
    for _ in range(steps):
        gan.d_step(s.parts, data, s.t)  # (stats, no fakes kept)


def _train(cfg, data, size: dict, metric) -> dict:
    """Warm up D, then train with gankit's training step, logging G's gradient norm and D(G(z)) each step."""
    s = start_session(cfg, data, "cpu")  # same seed: same initial nets and the same data and noise streams
    _warm_up_d(s, data, size["warmup"])
    norms, d_fake, curve = [], [], []
    for step in range(size["steps"] + 1):
        if step % size["every"] == 0 or step == size["steps"]:
            curve.append((step, metric(s.nets["G"])))
        if step == size["steps"]:
            break
        stats = advance(s, data)
        # G's update zeroes its grads, calls loss_G.backward() and steps Adam, which leaves .grad
        # as that backward pass left it: this is the gradient of this step's G loss.
        norms.append(_grad_norm(s.nets["G"]))
        d_fake.append(float(stats["D_fake"]))
    return {"norms": np.array(norms), "d_fake": np.array(d_fake), "curve": curve}


def _toy_task(size: dict):
    """The Figure 1 recipe (data at 4, G's output starts near 0) and W1 to data samples."""
    cfg = load_config("gaussian1d_fig1", ["train.progress=false"])
    data = load_dataset(cfg.data)
    real = data.sample(size["n_metric"], torch.Generator().manual_seed(123))[0][:, 0]
    z = sample_z(size["n_metric"], 1, "uniform", torch.Generator().manual_seed(7))

    def metric(G) -> float:
        with torch.no_grad():
            return wasserstein1(G(z)[:, 0], real)
    return cfg, data, metric, "W1 to the data"


def _image_task(size: dict):
    """A small DCGAN on Fashion-MNIST (digits where it is absent) and FID in the domain classifier's features."""
    choice = image_data(digits_resolution=16)
    extractor_name = choice.extractor
    sets = ["train.progress=false", "train.ema=0.0"] + ([f"data.limit={size['limit']}"] if size["limit"] else [])
    cfg = load_config("dcgan_fashion", choice.overrides + sets + DCGAN_PAPER)
    data = load_dataset(cfg.data)
    extractor = load_extractor(extractor_name)
    test = load_dataset(split_of(cfg.data, "test"))
    pick = torch.randperm(len(test), generator=torch.Generator().manual_seed(0))[:size["n_metric"]]
    real_features, _ = extract_features(test.images[pick], extractor)
    z = sample_z(size["n_metric"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(7))

    def metric(G) -> float:
        # Eval mode, as gankit's training evaluator: batch-norm running statistics.
        return fid_from_features(real_features, extract_features(generate(G, z), extractor)[0])
    return cfg, data, metric, f"FID ({extractor_name} classifier features)"


def _with_loss(cfg, name: str):
    """The same config with another G loss (D's loss is the same BCE for both)."""
    return apply_overrides(copy.deepcopy(cfg), [f"loss.name={name}"])


def _figure(results: dict, labels: dict, path) -> None:
    """Per task: G's gradient norm per step (log scale) and the quality metric, both losses."""
    fig = Figure(figsize=(11, 3.6 * len(results)), layout="constrained")
    axes = fig.subplots(len(results), 2, squeeze=False)
    colours = {"minimax": "tab:red", "nonsaturating": "tab:blue"}
    for row, (task, runs) in enumerate(results.items()):
        for loss, r in runs.items():
            steps = np.arange(1, len(r["norms"]) + 1)
            axes[row, 0].semilogy(steps, np.maximum(r["norms"], 1e-12), color=colours[loss], lw=0.8, label=loss)
            axes[row, 1].plot(*zip(*r["curve"]), "o-", ms=3, color=colours[loss], label=loss)
        axes[row, 0].set_title(f"{task}: ||grad of G's loss wrt G's weights||", fontsize="medium")
        axes[row, 1].set_title(f"{task}: {labels[task]}", fontsize="medium")
        axes[row, 1].set_yscale("log")
        for ax in axes[row]:
            ax.set_xlabel("G step (after D warm-up)")
            ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=90))


def run(report) -> None:
    """Train each task with both G losses from identical starts; compare gradient norms and metrics."""
    sizes = SIZES[report.scale]
    results, labels, cfgs = {}, {}, {}
    for task, build in (("1-D Gaussian", _toy_task), ("images", _image_task)):
        size = sizes["toy" if task == "1-D Gaussian" else "image"]
        cfg, data, metric, labels[task] = build(size)
        cfgs[task] = (cfg, size)
        results[task] = {loss: _train(_with_loss(cfg, loss), data, size, metric) for loss in LOSS_NAMES}
    _figure(results, labels, report.out_dir / "saturation.png")
    _write(report, results, labels, cfgs)


def _write(report, results: dict, labels: dict, cfgs: dict) -> None:
    """Text, tables, measurements and claims."""
    parts = []
    for task, (cfg, size) in cfgs.items():
        parts.append(f"- **{task}**: {cfg.data.name}, {cfg.model.name} G and D, Adam lr {cfg.g_optim.lr:g} betas "
                     f"{cfg.g_optim.betas}, batch {cfg.train.batch_size}, seed {cfg.train.seed}; {size['warmup']} D-only "
                     f"warm-up steps, then {size['steps']} G steps (k = {cfg.train.n_critic}); metric on "
                     f"{size['n_metric']} samples every {size['every']} steps.")
    report.text(f"Both G losses start from the same seed, hence the same initial networks, the same data and noise "
                "streams, the same optimiser and the same D warm-up; only the G loss differs (minimax: G descends "
                "log(1 - D(G(z))); non-saturating: G descends -log D(G(z))). The gradient norm is the total L2 norm "
                "of the gradient that each step's loss_G.backward() leaves on G's weights (taken before the next "
                "step zeroes it); D(G(z)) is the mean of sigmoid(D) on the fakes of that step's D update. "
                f"\"First steps\" below means the first {EARLY} G steps (all of them when a run is shorter).\n\n"
                + "\n".join(parts))
    report.figure(report.out_dir / "saturation.png", "Left: G's gradient norm per step (log scale). Right: the quality "
                  "metric (lower is better). Red: minimax; blue: non-saturating.")
    rows = []
    for task, runs in results.items():
        rows += _task_rows(report, task, runs, labels[task])
    report.table(rows)
    report.text("Adam divides each update by a running root-mean-square of the gradient, so a gradient that is "
                "small but consistent in sign still moves G by about the learning rate per step; the gradient norms "
                "and the metric curves above show how far that compensates in these runs.")


def _task_rows(report, task: str, runs: dict, label: str) -> list[dict]:
    """One table row per loss; measurements and claims for the task."""
    key = "toy" if task == "1-D Gaussian" else "image"
    rows, med = [], {}
    for loss, r in runs.items():
        n = min(EARLY, len(r["norms"]))
        med[loss] = float(np.median(r["norms"][:n]))
        first, last = r["curve"][0][1], r["curve"][-1][1]
        best = min(v for _, v in r["curve"])
        values = {"median_grad_norm_early": med[loss], "median_grad_norm_all": float(np.median(r["norms"])),
                  "median_d_fake_early": float(np.median(r["d_fake"][:n])), "metric_start": first,
                  "metric_end": last, "metric_best": best}
        for name, v in values.items():
            report.measure(f"{key}_{loss}_{name}", v)
        report.measure(f"{key}_{loss}_curve", [[s, v] for s, v in r["curve"]])
        rows.append({"task": task, "G loss": loss, "median grad norm, first steps": med[loss],
                     "median grad norm, all steps": values["median_grad_norm_all"],
                     "median D(G(z)), first steps": values["median_d_fake_early"],
                     "metric": label, "at start": first, "at end": last, "best": best})
    n = min(EARLY, len(runs["minimax"]["norms"]))
    ratio = med["minimax"] / med["nonsaturating"] if med["nonsaturating"] > 0 else float("nan")
    report.measure(f"{key}_grad_norm_ratio_early", ratio)
    report.claim(f"{task}: median grad norm minimax / non-saturating, first {n} steps", f"{ratio:.3g}",
                 "< 1: log(1 - D(G(z))) saturates while D rejects samples")
    report.claim(f"{task}: median D(G(z)), first {n} steps, minimax; non-saturating",
                 f"{np.median(runs['minimax']['d_fake'][:n]):.3g}; "
                 f"{np.median(runs['nonsaturating']['d_fake'][:n]):.3g}", "near 0: D rejects G's samples (the regime set up)")
    end = {loss: runs[loss]["curve"][-1] for loss in runs}
    report.claim(f"{task}: {label} at step {end['minimax'][0]}, minimax vs non-saturating",
                 f"{end['minimax'][1]:.3g} vs {end['nonsaturating'][1]:.3g}",
                 "non-saturating lower early in training (the paper's motivation)")
    return rows
