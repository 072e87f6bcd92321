"""Table 1 of Goodfellow et al. 2014: the Parzen-window log-likelihood of the maxout GAN, with the paper's protocol."""

from __future__ import annotations

import time

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset, to_float
from gankit.errors import GankitError
from gankit.metrics.evaluate import split_of
from gankit.metrics.parzen import parzen_report, validation_size
from gankit.reproduce.datasets import image_data
from gankit.train.session import advance, start_session
from gankit.viz.grid import save_grid

TITLE = "Table 1 of Goodfellow et al. 2014: Parzen-window log-likelihood of the maxout GAN"
USES_DATA = True  # `gankit reproduce table1 --data FOLDER` trains on the user's MNIST-format IDX files

# The paper's Table 1, MNIST column: (model, mean log-likelihood in nats, standard error).
PAPER_MNIST = (("DBN", 138, 2), ("Stacked CAE", 121, 1.6), ("Deep GSN", 214, 1.1), ("Adversarial nets", 225, 2))
MNIST_MEAN_PIXEL = 0.1307  # MNIST's 60,000 training images, pixels in [0, 1]; Fashion-MNIST's is 0.2860

# steps: G steps of the maxout_mnist recipe (500 per epoch of 50,000 images); every: steps between
# quick Parzen estimates on n_curve samples; n_final: generated samples for the paper's protocol.
SIZES = {
    "tiny": {"steps": 4, "every": 2, "n_curve": 100, "n_final": 200,
             "sets": ["model.g_hidden=[64, 64]", "model.d_hidden=[32, 32]"]},
    "default": {"steps": 5000, "every": 500, "n_curve": 1000, "n_final": 10_000, "sets": []},
    "full": {"steps": 50_000, "every": 2500, "n_curve": 1000, "n_final": 10_000, "sets": []},
}


def pixels(images: torch.Tensor) -> torch.Tensor:
    """Images (uint8, or floats in [-1, 1]) as float64 rows of pixels in [0, 1], as the 2014 protocol."""
    x = to_float(images) if images.dtype == torch.uint8 else images
    return ((x.double() + 1) / 2).flatten(1)


def data_choice(path: str | None) -> tuple[str, list[str]]:
    """(what the report calls the data, overrides): the user's IDX folder, Fashion-MNIST or the digits."""
    if path:
        return f"MNIST-format IDX files in {path}", ["data.name=mnist", f"data.path={path}"]
    choice = image_data()
    return choice.label, choice.overrides


def mnist_verdict(train: torch.Tensor) -> tuple[bool, str]:
    """Whether the training images look like MNIST (count, size and mean pixel), and why."""
    mean = float(train[:60_000].double().mean()) / 255  # ImageDataset images are uint8
    looks = tuple(train.shape) == (60_000, 1, 28, 28) and abs(mean - MNIST_MEAN_PIXEL) < 0.002
    return looks, f"{len(train):,} training images of {tuple(train.shape[1:])}, mean pixel {mean:.4f}"


class Splits:
    """The protocol's three sets: train on the first rows, choose sigma on the last 10,000 train rows, test."""

    def __init__(self, data_cfg):
        full = load_dataset(split_of(data_cfg, "train")).images
        self.n_train = len(full) - validation_size(len(full))
        self.train_images = full[:self.n_train]
        self.validation = pixels(full[self.n_train:])
        self.test = pixels(load_dataset(split_of(data_cfg, "test")).images)
        self.all_train = full


def quick_parzen(samples: torch.Tensor, splits: Splits, n: int) -> float:
    """The protocol on n samples, n validation rows and n test rows: cheap, biased low, for the curve."""
    return parzen_report(samples, splits.validation[:n], splits.test[:n])["mean"]


def train(cfg, splits: Splits, size: dict) -> dict:
    """Train a recipe's GAN (any family), with a quick Parzen estimate every size['every'] steps.

    Returns the session ("session"), the curve of (step, estimate) and the training seconds.
    """
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    curve_inputs = s.family.inputs(s.parts, size["n_curve"], torch.Generator().manual_seed(11))
    curve, seconds = [], 0.0
    while True:
        if s.step % size["every"] == 0 or s.step == size["steps"]:
            fake = s.family.generate(s.parts, curve_inputs)
            curve.append((s.step, quick_parzen(pixels(fake), splits, size["n_curve"])))
        if s.step == size["steps"]:
            break
        started = time.perf_counter()
        stats = advance(s, data)
        seconds += time.perf_counter() - started
        if not np.isfinite(float(stats["loss_D"] + stats["loss_G"])):
            raise GankitError(f"the {cfg.model.name} GAN diverged at step {s.step}; nothing to evaluate.")
    return {"session": s, "curve": curve, "seconds": seconds}


def final_samples(result: dict, n: int) -> torch.Tensor:
    """n samples of a trained session for the protocol (every class equally for a conditional G)."""
    s = result["session"]
    return s.family.generate(s.parts, s.family.inputs(s.parts, n, torch.Generator().manual_seed(12)))


def curve_figure(curve: list, real_quick: float, n: int, path) -> None:
    """Quick Parzen estimate against the G step, with the same estimate for real training images."""
    fig = Figure(figsize=(6.4, 3.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(*zip(*curve), "o-", color="tab:green", label="GAN samples")
    ax.axhline(real_quick, color="black", ls=":", label="real training images")
    ax.set(xlabel="G step", ylabel="mean test log-likelihood (nats)",
           title=f"Parzen estimate on {n} samples / validation / test rows")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def run(report) -> None:
    """Train the 2014 maxout GAN with its reference settings and score it with the 2014 Parzen protocol."""
    size, started = SIZES[report.scale], time.perf_counter()
    label, overrides = data_choice(report.data_path)
    cfg = load_config("maxout_mnist", overrides + size["sets"] + ["train.progress=false",
                                                                  f"train.steps={size['steps']}"])
    splits = Splits(cfg.data)
    cfg.data.limit = splits.n_train  # the validation rows are never trained on
    is_mnist, evidence = mnist_verdict(splits.all_train)
    result = train(cfg, splits, size)

    fake = final_samples(result, size["n_final"])
    gan = parzen_report(pixels(fake), splits.validation, splits.test)
    # The same estimator fed real training images instead of samples: what a G that reproduced
    # the training set would score with this many kernels.
    real = parzen_report(pixels(splits.train_images[:size["n_final"]]), splits.validation, splits.test)
    real_quick = quick_parzen(pixels(splits.train_images[:size["n_curve"]]), splits, size["n_curve"])
    save_grid(fake[:100], report.out_dir / "samples.png", nrow=10, scale=2)
    curve_figure(result["curve"], real_quick, size["n_curve"], report.out_dir / "parzen_curve.png")
    write(report, cfg, size, dict(label=label, is_mnist=is_mnist, evidence=evidence, splits=splits,
                                  result=result, gan=gan, real=real, real_quick=real_quick,
                                  wall=time.perf_counter() - started))


def measure(report, cfg, size: dict, r: dict) -> None:
    """Every number of the run into results.json."""
    gan, real, splits = r["gan"], r["real"], r["splits"]
    for key, value in (("dataset", r["label"]), ("looks_like_mnist", r["is_mnist"]), ("steps", size["steps"]),
                       ("epochs", size["steps"] * cfg.train.batch_size / splits.n_train),
                       ("parzen_mean", gan["mean"]), ("parzen_std_error", gan["std_error"]),
                       ("parzen_sigma", gan["sigma"]), ("parzen_validation_ll", gan["validation_ll"]),
                       ("sigmas", gan["sigmas"]), ("real_parzen_mean", real["mean"]),
                       ("real_parzen_std_error", real["std_error"]), ("real_parzen_sigma", real["sigma"]),
                       ("curve", [list(p) for p in r["result"]["curve"]]), ("curve_real", r["real_quick"]),
                       ("n_samples", size["n_final"]), ("n_validation", len(splits.validation)),
                       ("n_test", len(splits.test)), ("train_seconds", r["result"]["seconds"]),
                       ("wall_seconds", r["wall"])):
        report.measure(key, value)


def write(report, cfg, size: dict, r: dict) -> None:
    """The comparison with the paper and the text of the report."""
    gan, real, splits = r["gan"], r["real"], r["splits"]
    measure(report, cfg, size, r)
    ours = f"{gan['mean']:.1f} +/- {gan['std_error']:.1f}"
    if r["is_mnist"]:
        report.claim("Parzen log-likelihood, adversarial nets (MNIST)", ours, "225 +/- 2 (paper, Table 1)")
        verdict = "These look like MNIST, so the paper's numbers are directly comparable."
    else:
        report.claim(f"Parzen log-likelihood, maxout GAN ({r['label']})", ours,
                     "225 +/- 2 on MNIST (paper); a different dataset, not comparable")
        verdict = ("**This is not MNIST, so the paper's numbers are not comparable**: a log-likelihood depends on "
                   "the data (Fashion-MNIST images have more ink and texture than digits). To compare with the "
                   "paper, run `gankit reproduce table1 --data FOLDER` with MNIST's four IDX files in FOLDER.")
    report.claim("same estimator on real training images", f"{real['mean']:.1f} +/- {real['std_error']:.1f}",
                 "a G that copied the training set would score about this")
    first, last = r["result"]["curve"][0], r["result"]["curve"][-1]
    report.claim(f"quick estimate, step {first[0]} -> {last[0]}", f"{first[1]:.1f} -> {last[1]:.1f}",
                 "rises as G learns")

    report.text(
        f"Data: **{r['label']}** ({r['evidence']}). {verdict}\n\n"
        f"**Training** (recipe `maxout_mnist`, as the reference code `mnist.yaml`): G is a ReLU MLP "
        f"{cfg.model.z_dim}-{'-'.join(map(str, cfg.model.g_hidden))}-784 with a sigmoid output on "
        f"{cfg.model.z_dist} noise; D has maxout layers {cfg.model.d_hidden} with {cfg.model.maxout_pieces} "
        f"pieces, input dropout {cfg.model.input_dropout} and hidden dropout {cfg.model.dropout}; weights "
        "uniform on +/-0.05 (G) and +/-0.005 (D), G's output bias at the logit of the mean training image; "
        f"SGD with momentum {cfg.g_optim.momentum} rising to {cfg.g_optim.final_momentum} over steps "
        f"{cfg.g_optim.momentum_ramp}, lr {cfg.g_optim.lr:g} (D {cfg.d_optim.lr:g}: the reference D objective "
        f"is half the BCE sum) divided by {cfg.g_optim.lr_decay} per step, batch {cfg.train.batch_size}, "
        f"k = {cfg.train.n_critic}, non-saturating G loss. {size['steps']:,} steps = "
        f"{size['steps'] * cfg.train.batch_size / splits.n_train:.1f} epochs over the first {splits.n_train:,} "
        f"training images ({r['result']['seconds']:.0f} s); the paper's run was far longer. Unlike the "
        "reference code, gankit alternates the D and G updates (Algorithm 1) where `mnist.yaml` updated both from "
        "one batch at once, and its uniform noise lies on [-1, 1] rather than [-sqrt(3), sqrt(3)].\n\n"
        f"**Protocol** (reference `parzen_ll.py`): {size['n_final']:,} samples from G; pixels in [0, 1]; "
        f"sigma chosen from {len(gan['sigmas'])} values log-spaced in [0.1, 1] by the mean log-likelihood of "
        f"the {len(splits.validation):,} held-out training rows (sigma = {gan['sigma']:.3g}); the mean "
        f"log-likelihood of the {len(splits.test):,} test images and its standard error over them.")
    rows = [{"model": m, "MNIST (paper)": f"{v} +/- {e}", "this run": ""} for m, v, e in PAPER_MNIST]
    rows.append({"model": f"maxout GAN, gankit ({'MNIST' if r['is_mnist'] else r['label']})",
                 "MNIST (paper)": "", "this run": ours})
    rows.append({"model": f"real training images as the samples ({size['n_final']:,})", "MNIST (paper)": "",
                 "this run": f"{real['mean']:.1f} +/- {real['std_error']:.1f}"})
    report.table(rows)
    report.figure(report.out_dir / "samples.png", "100 samples of the trained G.")
    report.figure(report.out_dir / "parzen_curve.png",
                  f"The protocol on {size['n_curve']} samples, validation and test rows during training (fewer "
                  "kernels give a lower estimate than the final one), and the same for real training images.")
    report.text("A Parzen-window estimate measures how close test images lie to generated ones, not the "
                "model's likelihood; it rewards sharp samples near the data and is known to be unreliable in "
                "high dimensions (Theis et al. 2016). It is reported here because Table 1 used it.")
