"""The WGAN critic's estimate tracks sample quality (FID) during training; the standard D loss does not."""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
from matplotlib.figure import Figure
from scipy.stats import spearmanr

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.metrics.evaluate import reference_features, split_of
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features
from gankit.losses import loss_for
from gankit.objectives import generate, sample_z
from gankit.reproduce.datasets import DCGAN_PAPER, image_data
from gankit.reproduce.mode_collapse import one_thread
from gankit.train.session import advance, start_session

TITLE = "A meaningful loss: the Wasserstein estimate tracks FID, the standard GAN loss does not"

# objective -> (recipe, what its D loss is called, overrides); EMA is off so both are judged on the G being trained.
VARIANTS = {"WGAN-GP": ("wgangp_fashion", "W estimate", []),
            "non-saturating DCGAN": ("dcgan_fashion", "D loss", DCGAN_PAPER)}
SIZES = {
    "tiny": {"steps": 4, "checkpoints": 3, "n_fid": 200, "batches": 2},
    "default": {"steps": 500, "checkpoints": 10, "n_fid": 1000, "batches": 4},
    "full": {"steps": 3000, "checkpoints": 20, "n_fid": 2000, "batches": 8},
}


@torch.no_grad()
def held_out_d_loss(D, G, real_batches, z_batches, loss_d) -> float:
    """Mean of loss_d(D(x), D(G(z))) over batches, without any penalty; D and G are left untouched."""
    # Copies in training mode see batch statistics as training does, and their
    # batch norms update only the copies' running statistics.
    D, G = copy.deepcopy(D).train(), copy.deepcopy(G).train()
    return float(np.mean([loss_d(D(x), D(G(z))).item() for x, z in zip(real_batches, z_batches)]))


@torch.no_grad()
def fid_of(G, z: torch.Tensor, extractor, real_features: torch.Tensor) -> float:
    """FID of G's samples on fixed noise z (G in eval mode) against precomputed real features."""
    fake = generate(G, z)
    return fid_from_features(real_features, extract_features(fake, extractor)[0])


def rank_correlation(a, b) -> tuple[float, float]:
    """Spearman's rho and its p-value; NaN where either sequence is constant."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan"), float("nan")
    result = spearmanr(a, b)
    return float(result.statistic), float(result.pvalue)


def train_tracked(recipe: str, overrides: list[str], size: dict, held_out, extractor, real_features) -> dict:
    """Train one recipe, recording held-out D loss, training D loss and FID at evenly spaced steps."""
    cfg = load_config(recipe, overrides + [f"train.steps={size['steps']}", "train.ema=0", "train.progress=false"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    fid_z = sample_z(size["n_fid"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(7))
    fresh = torch.Generator().manual_seed(8)  # fakes for the held-out loss, new at every checkpoint
    real_batches = [held_out.sample(cfg.train.batch_size, torch.Generator().manual_seed(100 + i))[0]
                    for i in range(size["batches"])]
    marks = set(np.linspace(0, size["steps"], size["checkpoints"] + 1).round().astype(int)[1:].tolist())
    out = {"step": [], "held_out": [], "train": [], "fid": [], "train_seconds": 0.0, "loss": loss_for(cfg.loss)}
    d_loss = out["loss"].d
    interval: list[float] = []
    while s.step < size["steps"]:
        started = time.perf_counter()
        interval.append(float(advance(s, data)["loss_D"]))  # the loss without its penalty
        out["train_seconds"] += time.perf_counter() - started
        if s.step in marks:
            z_batches = [sample_z(len(x), cfg.model.z_dim, cfg.model.z_dist, fresh) for x in real_batches]
            out["step"].append(s.step)
            out["held_out"].append(held_out_d_loss(s.nets["D"], s.nets["G"], real_batches, z_batches, d_loss))
            out["train"].append(float(np.mean(interval)))
            out["fid"].append(fid_of(s.nets["G"], fid_z, extractor, real_features))
            interval = []
    return out


def curves_figure(path, runs: dict) -> None:
    """Per objective: its loss (left axis) and FID (right axis) against the step."""
    fig = Figure(figsize=(11, 3.8), layout="constrained")
    for ax, (name, run) in zip(fig.subplots(1, len(runs)), runs.items()):
        label = VARIANTS[name][1]
        held, train = run["shown_held_out"], run["shown_train"]
        ax.plot(run["step"], held, "o-", color="tab:blue", label=f"{label} (held-out)")
        ax.plot(run["step"], train, "--", color="tab:blue", alpha=0.5, label=f"{label} (training mean)")
        ax.set(xlabel="G step", title=f"{name}: rho(held-out, FID) = {run['rho'][0]:.2f}")
        ax.set_ylabel(label, color="tab:blue")
        ax.grid(True, alpha=0.3)
        twin = ax.twinx()
        twin.plot(run["step"], run["fid"], "s-", color="tab:red", label="FID")
        twin.set_ylabel("FID (domain classifier)", color="tab:red")
        lines = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
        ax.legend(lines, [h.get_label() for h in lines], fontsize="small", loc="upper right")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def describe(name: str, rho: float, p: float) -> str:
    """What one correlation says, in words."""
    if not np.isfinite(rho):
        return f"For {name} the correlation is undefined (a constant sequence)."
    strength = "strong" if abs(rho) >= 0.7 else "moderate" if abs(rho) >= 0.4 else "weak"
    sign = "positive" if rho > 0 else "negative"
    return f"For {name} the rank correlation with FID is {strength} and {sign}: rho = {rho:.2f} (p = {p:.2g})."


def verdict(name: str, rho: float) -> str:
    """How one correlation compares with the expectation of Arjovsky et al. 2017."""
    if not np.isfinite(rho):
        return ""
    if name == "WGAN-GP":
        agrees = "agrees" if rho >= 0.7 else "does not agree"
        return f"This {agrees} with the expected strong positive correlation."
    if abs(rho) < 0.4:
        return "As expected, the D loss says little about sample quality here."
    if rho < 0:
        return ("Unlike the expectation of no relation, it moved against FID: D's loss rose while the samples "
                "improved, so a falling D loss would not have signalled better samples.")
    return "Unlike the expectation of no relation, it moved with FID over these checkpoints."


def summarise(report, runs: dict, size: dict) -> None:
    """Measure each objective's curves and correlations; a sentence each and a table."""
    rows = []
    for name, r in runs.items():
        key, label = name.replace(" ", "_"), VARIANTS[name][1]
        for field in ("step", "fid", "shown_held_out", "shown_train"):
            report.measure(f"{key}.{field.replace('shown_', '')}", r[field])
        report.measure(f"{key}.spearman_rho", r["rho"][0])
        report.measure(f"{key}.spearman_p", r["rho"][1])
        report.measure(f"{key}.spearman_rho_training_mean", r["rho_train"][0])
        report.measure(f"{key}.ms_per_step", 1000 * r["train_seconds"] / size["steps"])
        rows.append({"objective": name, "loss": label, "rho (held-out)": r["rho"][0], "p": r["rho"][1],
                     "rho (training mean)": r["rho_train"][0], "FID first": r["fid"][0],
                     "FID last": r["fid"][-1], "checkpoints": len(r["step"])})
        report.text(describe(f"{name} ({label})", *r["rho"]) + " " + verdict(name, r["rho"][0]))
    report.table(rows)


def run(report) -> None:
    """Train WGAN-GP and a non-saturating DCGAN, track losses and FID, correlate them."""
    size, started = SIZES[report.scale], time.perf_counter()
    choice = image_data()
    data_name, overrides, extractor_name = choice.label, choice.overrides, choice.extractor
    with one_thread():  # one thread: shared cores make threaded convolutions far slower, not faster
        test = load_dataset(split_of(load_config(VARIANTS["WGAN-GP"][0], overrides).data, "test"))
        extractor = load_extractor(extractor_name)
        real_features = reference_features(test.images, extractor_name, extractor)[0]
        runs = {name: train_tracked(recipe, overrides + extra, size, test, extractor, real_features)
                for name, (recipe, _, extra) in VARIANTS.items()}
    report.text(
        f"Data: **{data_name}**. WGAN-GP (`wgangp_fashion`: layer-normed critic, lambda 10, 5 critic steps) and "
        f"the non-saturating DCGAN (`dcgan_fashion`, EMA off) each train {size['steps']} G steps. At "
        f"{size['checkpoints']} evenly spaced checkpoints we record (a) D's loss on {size['batches']} held-out "
        f"test batches and as many batches of fresh fakes, without the gradient penalty, and its mean over the "
        f"training steps since the last checkpoint, and (b) FID of {size['n_fid']} samples (fixed noise, G in "
        f"eval mode) against the {len(test)} test images, with gankit's `{extractor_name}` classifier features "
        f"(reference features computed once). {size['n_fid']} samples bias FID upwards; only its ranking "
        "over checkpoints matters here.\n\n"
        "**Sign convention.** For WGAN-GP we plot the critic's Wasserstein estimate W = E[f(x)] - E[f(G(z))] "
        "= -loss_D. As samples improve FID falls and so should W, so the expectation (Arjovsky et al. 2017, "
        "Figs. 3-4) is a *positive* Spearman rho between W and FID. For the DCGAN we use its D loss "
        "-E[log D(x)] - E[log(1 - D(G(z)))] as logged; no consistent relation is expected.")
    for name, r in runs.items():
        sign = -1.0 if name == "WGAN-GP" else 1.0  # W = -loss_D for the critic
        r["shown_held_out"] = [sign * v for v in r["held_out"]]
        r["shown_train"] = [sign * v for v in r["train"]]
        r["rho"] = rank_correlation(r["shown_held_out"], r["fid"])
        r["rho_train"] = rank_correlation(r["shown_train"], r["fid"])
    figure = report.out_dir / "loss_and_fid.png"
    curves_figure(figure, runs)
    report.figure(figure, "Loss (blue, left axis; solid: held-out, dashed: training mean since the last "
                          "checkpoint) and FID (red, right axis) against the G step.")
    summarise(report, runs, size)
    wgan, gan = runs["WGAN-GP"]["rho"][0], runs["non-saturating DCGAN"]["rho"][0]
    report.claim("Spearman rho(W estimate, FID), WGAN-GP", f"{wgan:.2f}", "strongly positive (Arjovsky et al. 2017)")
    report.claim("Spearman rho(D loss, FID), DCGAN", f"{gan:.2f}", "weak or inconsistent")
    wall = time.perf_counter() - started
    report.measure("dataset", data_name)
    report.measure("wall_seconds", wall)
    report.text(f"Wall time {wall:.0f} s. One seed and {size['checkpoints']} checkpoints: a rank correlation "
                "over so few points is noisy; `--full` trains longer with more checkpoints.")
