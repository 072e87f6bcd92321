"""Do generated images help a classifier when real labelled data are scarce?

For k real training images per class, a conditional GAN (recipe
`cdcgan_fashion`) is trained on exactly those images, once as it is and once
with adaptive discriminator augmentation (train.augment=ada, which learns from
few images where the plain D memorises them); then the same classifier
(gankit's domain-classifier CNN, same steps, same seed) is trained five ways:
on the k x classes real images, on them plus each GAN's samples, and on each
GAN's samples alone (labels uniform), and tested on the whole real test split.
The subset, the GANs and the classifier change with each seed.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import ImageDataset, load_dataset, to_uint8
from gankit.errors import GankitError
from gankit.metrics.evaluate import split_of
from gankit.metrics.features.training import accuracy, train_classifier
from gankit.reproduce.datasets import image_data
from gankit.train.session import advance, start_session

TITLE = "Generated images as training data: a classifier on k real images per class, with and without a cGAN's"
# The GANs: the recipe as it is, and with ADA (the adaptive one: its p stays near 0 where D does not
# overfit, so one setting serves every k; DiffAugment augments at full strength from the first step).
GANS = {"": [], " (ADA GAN)": ["train.augment=ada"]}
ARMS = ("real", "real + generated", "generated", "real + generated (ADA GAN)", "generated (ADA GAN)")

# ks: real images per class; gan_steps: the cGAN's G steps; clf_steps: every classifier's Adam steps
# (batch 128); n_fake: generated images, every class equally.
SIZES = {
    "tiny": {"ks": [2, 4], "seeds": [0], "gan_steps": 3, "clf_steps": 3, "n_fake": 40, "n_test": 200,
             "sets": ["model.width=4", "model.z_dim=8", "train.batch_size=8", "train.n_samples=10"]},
    "default": {"ks": [10, 100, 1000], "seeds": [0, 1], "gan_steps": 1500, "clf_steps": 500, "n_fake": 6000,
                "n_test": None, "sets": []},
    "full": {"ks": [10, 100, 1000], "seeds": [0, 1, 2, 3, 4], "gan_steps": 3000, "clf_steps": 1500,
             "n_fake": 20_000, "n_test": None, "sets": []},
}


def per_class_subset(data: ImageDataset, k: int, seed: int) -> ImageDataset:
    """k images of every class, drawn without replacement by the seed."""
    gen = torch.Generator().manual_seed(seed)
    picks = []
    for c in range(data.num_classes):
        members = (data.labels == c).nonzero().flatten()
        if len(members) < k:
            raise GankitError(f"{data.name} has {len(members)} training images of class {c}, fewer than k={k}.")
        picks.append(members[torch.randperm(len(members), generator=gen)[:k]])
    idx = torch.cat(picks)
    return ImageDataset(data.images[idx].clone(), data.labels[idx].clone(), data.num_classes, data.name,
                        data.class_names)


def generated(cfg, real: ImageDataset, steps: int, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, float]:
    """Train the cGAN on `real` for `steps`; n uint8 samples of every class equally, their labels, the seconds."""
    s = start_session(cfg, real, "cpu")
    started = time.perf_counter()
    for _ in range(steps):
        stats = advance(s, real)
    seconds = time.perf_counter() - started
    if steps and not np.isfinite(float(stats["loss_D"] + stats["loss_G"])):
        raise GankitError(f"the cGAN on {len(real)} images diverged; nothing to sample.")
    inputs = s.family.inputs(s.parts, n, torch.Generator().manual_seed(seed + 100))
    return to_uint8(s.family.generate(s.parts, inputs)), inputs["y"], seconds


def one_seed(configs: dict, train: ImageDataset, test: ImageDataset, k: int, seed: int, size: dict) -> dict:
    """The five classifiers' test accuracies (and each GAN's seconds) for one k and one seed."""
    real = per_class_subset(train, k, seed)
    sets, out = {"real": (real.images, real.labels)}, {}
    for suffix, cfg in configs.items():
        cfg.train.seed = seed
        fake, fake_y, out[f"gan_seconds{suffix}"] = generated(cfg, real, size["gan_steps"], size["n_fake"], seed)
        sets[f"generated{suffix}"] = (fake, fake_y)
        sets[f"real + generated{suffix}"] = (torch.cat([real.images, fake]), torch.cat([real.labels, fake_y]))
    for arm in ARMS:
        images, labels = sets[arm]
        model = train_classifier(images, labels, size["clf_steps"], seed=seed, num_classes=train.num_classes,
                                 shift=max(1, round(train.shape[-1] / 14)))
        out[arm] = accuracy(model, test.images, test.labels)
    return out


def run(report) -> None:
    """Every k and seed, the table of mean +/- spread, the plot, and what it says."""
    size, started = SIZES[report.scale], time.perf_counter()
    choice = image_data()
    configs = {suffix: load_config("cdcgan_fashion", choice.overrides + size["sets"] + sets +
                                   ["train.progress=false", f"train.steps={size['gan_steps']}"])
               for suffix, sets in GANS.items()}
    base = configs[""]
    train = load_dataset(split_of(base.data, "train"))
    test = load_dataset(split_of(base.data, "test"))
    if size["n_test"]:
        test = ImageDataset(test.images[:size["n_test"]], test.labels[:size["n_test"]], test.num_classes, test.name)
    results = {k: [one_seed(configs, train, test, k, seed, size) for seed in size["seeds"]] for k in size["ks"]}
    write(report, size, results, choice.label, train.num_classes, time.perf_counter() - started)


def summary(runs: list[dict], arm: str) -> tuple[float, float]:
    """Mean and standard deviation over seeds (0 for one seed) of an arm's accuracy."""
    values = np.array([r[arm] for r in runs])
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


COLOURS = ("black", "tab:green", "tab:orange", "tab:blue", "tab:purple")


def plot(results: dict, path) -> None:
    """Test accuracy against k (log scale) for every training set, mean and spread over seeds."""
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    ks = sorted(results)
    for arm, colour in zip(ARMS, COLOURS):
        stats = [summary(results[k], arm) for k in ks]
        ax.errorbar(ks, [m for m, _ in stats], yerr=[s for _, s in stats], marker="o", capsize=3,
                    color=colour, label=arm, linestyle="--" if "ADA" in arm else "-")
    ax.set(xscale="log", xlabel="real training images per class (k)", ylabel="test accuracy",
           title="classifier trained on ...")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def gains(runs: list[dict], suffix: str) -> list[float]:
    """Per seed: real + that GAN's images minus real alone."""
    return [r[f"real + generated{suffix}"] - r["real"] for r in runs]


def helped_at(results: dict, suffix: str) -> list[tuple[int, float]]:
    """(k, mean gain) where adding that GAN's images beat real alone on every seed."""
    per_k = {k: gains(runs, suffix) for k, runs in results.items()}
    return [(k, float(np.mean(g))) for k, g in per_k.items() if all(x > 0 for x in g)]


def write(report, size: dict, results: dict, label: str, classes: int, wall: float) -> None:
    """Measurements, the table, the plot and the verdict."""
    rows = []
    for k, runs in results.items():
        row = {"k per class": k, "real images": k * classes}
        for arm in ARMS:
            mean, spread = summary(runs, arm)
            row[arm] = f"{mean:.1%} +/- {spread:.1%}"
        for suffix in GANS:
            g = gains(runs, suffix)
            row[f"gain{suffix} (pts)"] = f"{100 * np.mean(g):+.1f} (seeds: {', '.join(f'{100 * x:+.1f}' for x in g)})"
        rows.append(row)
        report.measure(f"k{k}", runs)
    report.measure("sizes", {key: v for key, v in size.items() if key != "sets"})
    report.measure("wall_seconds", wall)
    report.table(rows)
    plot(results, report.out_dir / "accuracy_vs_k.png")
    verdicts = []
    for suffix in GANS:
        helped, which = helped_at(results, suffix), "the ADA cGAN's" if suffix else "the plain cGAN's"
        said = "; ".join(f"k = {k}: {100 * g:+.1f} points" for k, g in helped)
        verdicts.append(f"Adding {which} images helped on every seed at {said}." if helped else
                        f"Adding {which} images did not help on every seed at any k.")
        report.claim(f"k where real + generated{suffix} beat real alone on every seed",
                     ", ".join(str(k) for k, _ in helped) or "none", "the low-data regime, if anywhere")
    report.text(
        f"Data: **{label}**; {len(next(iter(results.values())))} seed(s) per k, each drawing its own subset, "
        f"cGANs and classifier. The cGANs are `cdcgan_fashion` trained {size['gan_steps']:,} steps on the k x "
        f"{classes} real images only, as it is and with `train.augment=ada`; each then draws "
        f"{size['n_fake']:,} images, every class equally. Every classifier is the same CNN trained "
        f"{size['clf_steps']:,} Adam steps (batch 128, random shifts) and tested on the real test split. Spread "
        "is the standard deviation over seeds.\n\n"
        f"**Observed:** {' '.join(verdicts)} " + " ".join(
            f"At k = {k}: real {summary(runs, 'real')[0]:.1%}; real + generated "
            f"{summary(runs, 'real + generated')[0]:.1%} (ADA GAN: {summary(runs, 'real + generated (ADA GAN)')[0]:.1%}); "
            f"generated alone {summary(runs, 'generated')[0]:.1%} (ADA GAN: {summary(runs, 'generated (ADA GAN)')[0]:.1%})."
            for k, runs in results.items()))
    report.figure(report.out_dir / "accuracy_vs_k.png", "Test accuracy against real images per class.")
