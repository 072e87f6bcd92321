"""Super-resolution x4 on Fashion-MNIST, and the perception-distortion plane (Blau and Michaeli 2018).

A PSNR-oriented SRResNet (`srresnet_fashion_x4`) trains on the pixel loss; three models start from its
weights and fine-tune for the same steps: the GAN (`srgan_fashion_x4`'s losses: 0.01 L1 + feature +
0.005 relativistic GAN), the same without D (`feature`: does the feature loss alone explain the GAN's
FID, when FID reads the same classifier?), and the GAN without the feature loss (`gan_no_feature`).
Each is scored on the test split: PSNR / SSIM (border of 4 px cropped), the classifier's FID and
accuracy, and the posterior ratio (two noise draws against the truth); bicubic upsampling is the first
row. Network interpolation between the PSNR model and the GAN (alpha = 0, 0.2, ..., 1, ESRGAN) traces a
curve across the plane of PSNR against FID.

Blau and Michaeli: a restoration cannot be perfect in both; sampling the true posterior costs exactly
twice the minimum mean squared error, 10 log10(2) = 3.01 dB of PSNR below the MMSE estimator. The
published GAN-vs-MSE drops (SRGAN 2.4-2.7 dB, BasicSR's MSRGAN 2.0-2.4 dB) sit inside that bound.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time

import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset, to_float
from gankit.data.super_resolution import upscale
from gankit.interpolate import mixed_tensors
from gankit.metrics.super_resolution import sr_scorer
from gankit.objectives import srgan
from gankit.objectives.parts import EvalRequest
from gankit.reproduce.progress import keeper
from gankit.reproduce.translation_common import train as train_steps
from gankit.train.session import settle_sampler
from gankit.viz import save_grid

TITLE = "Super-resolution x4 on Fashion-MNIST: SRResNet, ESRGAN's losses and the perception-distortion plane"
PSNR_RECIPE, GAN_RECIPE = "srresnet_fashion_x4", "srgan_fashion_x4"
# Fine-tuned from the PSNR model: name -> overrides of the GAN recipe (its pixel phase skipped).
FINE_TUNES = {"gan": [], "feature": ["srgan.adv_weight=0"], "gan_no_feature": ["srgan.feature_weight=0"]}
ALPHAS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
BOUND_DB = 10 * math.log10(2)  # 3.01 dB: posterior sampling's PSNR cost (Blau and Michaeli 2018)
PUBLISHED_DROPS = "SRGAN 2.4-2.7 dB, MSRGAN (BasicSR) 2.0-2.4 dB"
TINY = ["data.limit=40", "model.width=4", "model.g_blocks=1", "model.d_width=4", "train.batch_size=4"]
SIZES = {
    "tiny": {"psnr_steps": 3, "gan_steps": 2, "n": 60, "sets": TINY, "alphas": (0.0, 0.5, 1.0)},
    "default": {"psnr_steps": 3000, "gan_steps": 1000, "n": 2000, "sets": [], "alphas": ALPHAS},
    "full": {"psnr_steps": 10_000, "gan_steps": 5000, "n": 10_000, "sets": [], "alphas": ALPHAS},
}


def train(recipe: str, sets: list[str], steps: int, start_from=None, keep=None) -> tuple:
    """(session, seconds) of a recipe trained for `steps` steps; G started from another session's when given,
    at the rate of the recipe's adversarial phase (its g_optim.lr_from), its pixel phase skipped; `keep` as
    gankit.reproduce.progress."""
    cfg = load_config(recipe, sets + [f"train.steps={steps}", "train.progress=false", "srgan.pretrain_steps=0"])
    if cfg.g_optim.lr_from is not None:
        cfg.g_optim.lr, cfg.g_optim.lr_from = cfg.g_optim.lr_from[1], None
    init = None if start_from is None else lambda s: s.nets["G"].load_state_dict(start_from.nets["G"].state_dict())
    s = train_steps(cfg, steps=steps, init=init, keep=keep)
    settle_sampler(s)
    return s, s.wall_time


def interpolated(psnr, gan, alpha: float):
    """The GAN's session with G = (1 - alpha) G_psnr + alpha G_gan (gankit interpolate's arithmetic)."""
    a = {f"G.{k}": v for k, v in psnr.nets["G"].state_dict().items()}
    b = {f"G.{k}": v for k, v in gan.nets["G"].state_dict().items()}
    G = copy.deepcopy(gan.nets["G"])
    G.load_state_dict({k[2:]: v for k, v in mixed_tensors(a, b, alpha).items()})
    return dataclasses.replace(gan.parts, nets={**gan.parts.nets, "G": G})


def pictures(sessions: dict, path, n: int = 8) -> None:
    """Rows: input (enlarged) | bicubic | PSNR model | GAN | GAN, other noise | truth, for n test garments."""
    cfg = sessions["psnr"].cfg
    test = load_dataset(dataclasses.replace(cfg.data, split="test", limit=n))
    x, truth = to_float(test.a), to_float(test.b)
    gen = torch.Generator().manual_seed(0)
    columns = [srgan.enlarged(x, cfg.data.scale), to_float(upscale(test.a, cfg.data.scale))]
    columns.append(srgan.generate(sessions["psnr"].parts, {"x": x, "z": srgan.noise(sessions["psnr"].parts, x, gen)}))
    for _ in range(2):
        columns.append(srgan.generate(sessions["gan"].parts, {"x": x, "z": srgan.noise(sessions["gan"].parts, x, gen)}))
    columns.append(truth)
    save_grid(torch.stack(columns, 1).flatten(0, 1).clamp(-1, 1), path, nrow=len(columns), scale=3)


def plane(rows: list[dict], curve: list[dict], path) -> None:
    """PSNR (x) against FID (y, lower is better): each model a point, the interpolation a line."""
    fig = Figure(figsize=(6.0, 4.4), layout="constrained")
    ax = fig.subplots()
    ax.plot([c["PSNR"] for c in curve], [c["FID"] for c in curve], "o-", color="tab:purple",
            label="interpolation PSNR model -> GAN")
    for c in curve:
        ax.annotate(f"{c['alpha']:g}", (c["PSNR"], c["FID"]), fontsize="x-small", textcoords="offset points",
                    xytext=(4, 4))
    for r in rows:
        ax.plot(r["PSNR"], r["FID"], "s", label=r["model"])
    ax.set(xlabel="PSNR (dB), higher: less distortion", ylabel="FID (classifier features), lower: more real",
           title="The perception-distortion plane")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="x-small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def run(report) -> None:
    size, started = SIZES[report.scale], time.perf_counter()
    psnr, psnr_seconds = train(PSNR_RECIPE, size["sets"], size["psnr_steps"], keep=keeper(report, "psnr"))
    sessions, seconds = {"psnr": psnr}, {"psnr": psnr_seconds}
    for name, sets in FINE_TUNES.items():
        sessions[name], seconds[name] = train(GAN_RECIPE, size["sets"] + sets, size["gan_steps"], psnr,
                                              keeper(report, name))
    # The family's test-split metrics (noise seed 0), the test split and its baseline prepared once for all.
    score = sr_scorer(psnr.parts, EvalRequest(("super_resolution",), size["n"]), srgan.generate, srgan.noise)
    measured = {name: score(s.parts) for name, s in sessions.items()}
    curve = [{"alpha": a, **score(interpolated(psnr, sessions["gan"], a))} for a in size["alphas"]]
    pictures(sessions, report.out_dir / "outputs.png")
    write(report, size, measured, curve, seconds, time.perf_counter() - started)


def _row(name: str, m: dict, suffix: str = "") -> dict:
    return {"model": name, "PSNR": m[f"psnr{suffix}"], "SSIM": m[f"ssim{suffix}"], "FID": m[f"fid{suffix}"],
            "accuracy": m[f"accuracy{suffix}"], "posterior ratio": m.get("posterior_ratio") if not suffix else None}


def write(report, size: dict, measured: dict, curve: list, seconds: dict, wall: float) -> None:
    psnr, gan = measured["psnr"], measured["gan"]
    rows = [_row("bicubic", psnr, "_bicubic")] + [_row(name, m) for name, m in measured.items()]
    for row in rows:
        for key in ("PSNR", "SSIM", "FID", "accuracy", "posterior ratio"):
            report.measure(f"{row['model']}.{key.lower().replace(' ', '_')}", row[key])
    for c in curve:
        report.measure(f"interpolation.{c['alpha']:g}.psnr", c["psnr"])
        report.measure(f"interpolation.{c['alpha']:g}.fid", c["fid"])
    report.measure("accuracy_real", psnr["accuracy_real"])
    drop = psnr["psnr"] - gan["psnr"]
    report.measure("gan_psnr_drop_db", drop)
    report.measure("seconds", seconds)
    report.measure("wall_seconds", wall)
    report.claim("PSNR: PSNR model vs bicubic", f"{psnr['psnr']:.2f} vs {psnr['psnr_bicubic']:.2f} dB",
                 "PSNR model above bicubic")
    report.claim("FID: GAN / PSNR model", f"{gan['fid']:.1f} / {psnr['fid']:.1f} = {gan['fid'] / psnr['fid']:.2f}",
                 "at most 0.7")
    report.claim("classifier accuracy: GAN / bicubic (PSNR model)", f"{gan['accuracy']:.3f} / "
                 f"{psnr['accuracy_bicubic']:.3f} ({psnr['accuracy']:.3f})", "GAN above bicubic")
    report.claim("GAN's PSNR drop from the PSNR model", f"{drop:.2f} dB", f"within {BOUND_DB:.2f} dB (published: "
                 f"{PUBLISHED_DROPS})")
    report.claim("posterior ratio: GAN (PSNR model)", f"{gan['posterior_ratio']:.3f} ({psnr['posterior_ratio']:.3f})",
                 "1 for posterior samples, 0 for one answer")
    report.text(
        f"The PSNR model trained {size['psnr_steps']:,} steps on the pixel loss; each other model started from its "
        f"weights and trained {size['gan_steps']:,} more. Scored on {size['n']:,} test garments (7 x 7 inputs, "
        "28 x 28 truths; PSNR and SSIM inside a 4 px border). FID and accuracy read the shipped Fashion-MNIST "
        f"classifier (accuracy on the true garments: {psnr['accuracy_real']:.3f}); the feature loss reads the same "
        "classifier's convolutions, so `feature` (the feature loss without D) shows what that alone buys. NIQE "
        "needs 96 px blocks and LPIPS downloaded weights: neither applies here.")
    report.table(rows)
    report.text(
        f"Sampling the posterior costs {BOUND_DB:.2f} dB of PSNR below the best regression (Blau and Michaeli "
        f"2018); gankit's GAN lost {drop:.2f} dB ({PUBLISHED_DROPS} published). The posterior ratio compares two "
        "outputs of one input under two noise draws with the truth: 1 where G samples the posterior, 0 where it "
        "draws one answer whatever its noise.")
    report.table([{"alpha": c["alpha"], "PSNR": c["psnr"], "SSIM": c["ssim"], "FID": c["fid"],
                   "accuracy": c["accuracy"]} for c in curve])
    plane(rows, [{"alpha": c["alpha"], "PSNR": c["psnr"], "FID": c["fid"]} for c in curve],
          report.out_dir / "perception_distortion.png")
    report.figure(report.out_dir / "perception_distortion.png", "PSNR against FID: each model, and the network "
                  "interpolation from the PSNR model (0) to the GAN (1).")
    report.figure(report.out_dir / "outputs.png", "Per row: the 7 x 7 input, bicubic, the PSNR model, the GAN "
                  "with two noise draws, the truth.")
    report.text(f"Training seconds: {', '.join(f'{k} {v:.0f}' for k, v in seconds.items())}; wall time {wall:.0f} s.")
