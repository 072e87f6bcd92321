"""GANs from little data: `dcgan_fashion` (and, in --full, `stylegan2_fashion`) on 100 images up to the whole
training set, without augmentation, with DiffAugment (Zhao et al. 2020) and with ADA (Karras et al. 2020), at
equal steps.

Each run is the recipe as it is (its EMA copy samples), on the first N training images (or K of each class),
with train.augment set.
Measured: FID of the EMA copy's samples against the whole test split (a curve at evenly spaced steps, then a
final score on more samples); the FID of the training subset itself against the test split (what a generator
that only copied its images would score); D's mean logit on its training images against held-out test images
(the gap that grows as D memorises); ADA's p over the steps. The default's rows are DCGAN's: a StyleGAN2 step
costs about 12 DCGAN steps on a CPU (benchmarks/style_speed.py), so its rows are --full's. `--only KEYS`
(every_run) runs chosen rows of any model and subset at the scale's steps, e.g. `--only 'stylegan2.10pct.*'`.
"""

from __future__ import annotations

import time

import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.data.images import to_float
from gankit.metrics.evaluate import split_of
from gankit.metrics.features import extract_features
from gankit.metrics.frechet import fid_from_features
from gankit.objectives import generate, sample_z
from gankit.reproduce.datasets import image_data
from gankit.reproduce.dcgan_vs_mlp import Scorer
from gankit.reproduce.progress import Keeper, keeper
from gankit.train.session import advance, settle_sampler, start_session
from gankit.viz.grid import save_grid

TITLE = "GANs from little data: DCGAN and StyleGAN2 without augmentation, with DiffAugment and with ADA"
MODELS = {"dcgan_fashion": "DCGAN", "stylegan2_fashion": "StyleGAN2"}  # recipe -> its name in the report
AUGMENTS = {"none": "no augmentation", "diffaug": "DiffAugment", "ada": "ADA"}
COLOURS = {"none": "tab:grey", "diffaug": "tab:blue", "ada": "tab:orange"}
TINY_NETS = ["model.width=4", "model.g_width=4", "model.z_dim=8", "train.batch_size=8", "train.n_samples=8",
             "train.precision=fp32"]
# recipes: the models compared; subsets: label -> overrides; steps: G steps of every run; checks: FID evaluations on n_curve samples along the
# way; n_final: samples for the final FID; n_real: test images scored against (None: all); n_gap: images per side
# of D's train-vs-held-out gap.
SIZES = {
    "tiny": {"recipes": list(MODELS), "subsets": {"20 images": ["data.limit=20"]}, "steps": 4, "checks": 2, "n_curve": 100, "n_final": 200,
             "n_real": 300, "n_gap": 20, "sets": TINY_NETS},
    "default": {"recipes": ["dcgan_fashion"], "subsets": {"100 images": ["data.limit=100"], "1% (600 images)": ["data.limit=600"]},
                "steps": 6000, "checks": 6, "n_curve": 2000, "n_final": 10_000, "n_real": None, "n_gap": 1000,
                "sets": []},
    "full": {"recipes": list(MODELS), "subsets": {"100 images": ["data.limit=100"], "10 per class": ["data.per_class=10"],
                         "1% (600 images)": ["data.limit=600"], "10% (6000 images)": ["data.limit=6000"],
                         "100% (60000 images)": []},
             "steps": 10_000, "checks": 10, "n_curve": 2000, "n_final": 10_000, "n_real": None, "n_gap": 1000,
             "sets": []},
}


@torch.no_grad()
def d_gap(D, train_images: torch.Tensor, held_out: torch.Tensor) -> tuple[float, float]:
    """D's mean logit (eval mode) on its training images and on as many held-out ones."""
    was = D.training
    D.eval()
    try:
        means = [torch.cat([D(part).float().flatten() for part in x.split(500)]).mean().item()
                 for x in (train_images, held_out)]
    finally:
        D.train(was)
    return means[0], means[1]


def train_one(cfg, size: dict, scorer: Scorer, held_out: torch.Tensor, keep: Keeper | None = None) -> dict:
    """One run at equal steps: its FID curve, ADA's p, the final FID, D's gap and samples. `keep`
    (gankit.reproduce.progress) checkpoints it as it goes and continues a stopped one."""
    data = load_dataset(cfg.data)
    keep = keep or Keeper(None)
    s = start_session(cfg, data, "cpu")
    loop = keep.restore(s)
    z = sample_z(size["n_curve"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(7))
    every = max(1, size["steps"] // size["checks"])
    curve, p_curve = [tuple(c) for c in loop.get("curve", [])], [tuple(p) for p in loop.get("p_curve", [])]
    seconds = loop.get("seconds", 0.0)
    for step in range(s.step + 1, size["steps"] + 1):
        started = time.perf_counter()
        advance(s, data)
        seconds += time.perf_counter() - started
        if cfg.train.augment == "ada" and step % max(1, size["steps"] // 60) == 0:
            p_curve.append((step, s.t.augment_p.item()))
        if step % every == 0 or step == size["steps"]:
            settle_sampler(s)
            curve.append((step, scorer.fid(s.parts.sampling_net(), z)))
        if keep.due() or step == size["steps"]:
            keep.save(s, {"curve": curve, "p_curve": p_curve, "seconds": seconds})
    settle_sampler(s)
    final_z = sample_z(size["n_final"], cfg.model.z_dim, cfg.model.z_dist, torch.Generator().manual_seed(8))
    fake = generate(s.parts.sampling_net(), final_z)
    fake_f = extract_features(fake, scorer.extractor)[0]
    train_images = data.as_float(0, size["n_gap"])
    d_train, d_held = d_gap(s.nets["D"], train_images, held_out[:len(train_images)])
    return {"curve": curve, "p_curve": p_curve, "fid": fid_from_features(scorer.real_f, fake_f),
            "d_train": d_train, "d_held_out": d_held, "seconds": seconds, "fake": fake[:16],
            "p": s.t.augment_p.item() if cfg.train.augment == "ada" else None, "n_images": len(data.images),
            "copy_fid": fid_from_features(scorer.real_f, extract_features(data.images, scorer.extractor)[0]),
            "real": data.as_float(0, 16)}


def figure(runs: dict, path) -> None:
    """FID against steps (one panel per model and subset, a line per augmentation), and ADA's p beneath."""
    panels = [(f"{MODELS[recipe]}, {subset}", by_kind) for recipe, by_subset in runs.items()
              for subset, by_kind in by_subset.items()]
    fig = Figure(figsize=(4.2 * len(panels), 6.2), layout="constrained")
    axes = fig.subplots(2, len(panels), squeeze=False)
    for col, (title, by_kind) in enumerate(panels):
        top, bottom = axes[0, col], axes[1, col]
        for kind, r in by_kind.items():
            colour = COLOURS[kind]
            steps, fids = zip(*r["curve"])
            top.plot(steps, fids, "o-", color=colour, label=AUGMENTS[kind])
            if r["p_curve"]:
                bottom.plot(*zip(*r["p_curve"]), color=colour, label="ADA p")
        top.axhline(next(iter(by_kind.values()))["copy_fid"], color="black", linestyle=":",
                    label="the subset itself")
        top.set(title=title, xlabel="step", ylabel="FID", yscale="log")
        bottom.set(xlabel="step", ylabel="ADA's p", ylim=(0, 1))
        top.legend(fontsize="small")
        for ax in (top, bottom):
            ax.grid(True, alpha=0.3)
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def every_run() -> list[str]:
    """The key of every run the experiment knows, MODEL.SUBSET.AUGMENTATION: what `--only` chooses from."""
    return [f"{_key(recipe, subset)}.{kind}" for recipe in MODELS for subset in SIZES["full"]["subsets"]
            for kind in AUGMENTS]


def plan(size: dict, only: list[str] | None) -> dict:
    """recipe -> subset -> (its overrides, the augmentations run): the scale's own runs, or with `only` (keys
    from every_run) those runs, whichever model and subset they belong to."""
    if only is None:
        return {recipe: {subset: (sets, list(AUGMENTS)) for subset, sets in size["subsets"].items()}
                for recipe in size["recipes"]}
    chosen: dict = {}
    for recipe in MODELS:
        for subset, sets in SIZES["full"]["subsets"].items():
            kinds = [kind for kind in AUGMENTS if f"{_key(recipe, subset)}.{kind}" in only]
            if kinds:
                chosen.setdefault(recipe, {})[subset] = (sets, kinds)
    return chosen


def run(report) -> None:
    """Every chosen model on every chosen subset with every chosen augmentation, then the table, the figure and
    the sample grids."""
    size, started = SIZES[report.scale], time.perf_counter()
    chosen = plan(size, report.only)
    choice = image_data(digits_resolution=16)
    base = load_config(next(iter(chosen)), choice.overrides + size["sets"])
    scorer = Scorer(base.data, choice.extractor, size["n_real"])
    held_out = to_float(load_dataset(split_of(base.data, "test")).images[-size["n_gap"]:])
    runs: dict = {}
    for recipe, subsets in chosen.items():
        runs[recipe] = {}
        for subset, (sets, kinds) in subsets.items():
            by_kind = runs[recipe][subset] = {}
            for kind in kinds:
                cfg = load_config(recipe, choice.overrides + size["sets"] + sets +
                                  [f"train.augment={kind}", f"train.steps={size['steps']}", "train.progress=false"])
                by_kind[kind] = train_one(cfg, size, scorer, held_out,
                                          keeper(report, f"{_key(recipe, subset)}.{kind}"))
            grid = [next(iter(by_kind.values()))["real"]] + [r["fake"] for r in by_kind.values()]
            save_grid(torch.cat(grid), report.out_dir / f"samples_{_key(recipe, subset)}.png", nrow=16, scale=2)
    figure(runs, report.out_dir / "fid_and_p.png")
    write(report, runs, size, choice, scorer, base, time.perf_counter() - started)


def _key(recipe: str, subset: str) -> str:
    """'dcgan.100', 'dcgan.10perclass', 'stylegan2.1pct': the model and the subset in results.json's keys, file
    names and `--only`."""
    head = subset.split()[0]
    tail = "pct" if "%" in subset else "perclass" if "per class" in subset else ""
    return f"{recipe.split('_')[0]}.{head.rstrip('%').lower()}{tail}"


def write(report, runs: dict, size: dict, choice, scorer: Scorer, base, wall: float) -> None:
    """Measurements, claims, the table and the text."""
    rows = []
    for recipe, by_subset in runs.items():
        for subset, by_kind in by_subset.items():
            for kind, r in by_kind.items():
                key = f"{_key(recipe, subset)}.{kind}"
                for field in ("fid", "copy_fid", "d_train", "d_held_out", "seconds", "p", "n_images"):
                    report.measure(f"{key}.{field}", r[field])
                report.measure(f"{key}.curve", [list(c) for c in r["curve"]])
                rows.append({"model": MODELS[recipe], "subset": subset, "augmentation": AUGMENTS[kind],
                             "FID": r["fid"], "best FID on the curve": min(f for _, f in r["curve"]),
                             "FID of the subset itself": r["copy_fid"],
                             "D train - held-out logit": r["d_train"] - r["d_held_out"],
                             "ADA p at the end": r["p"], "s/1000 steps": 1000 * r["seconds"] / size["steps"]})
        _claims(report, MODELS[recipe], by_subset, next(iter(size["subsets"])))
    report.measure("dataset", choice.label)
    report.measure("wall_seconds", wall)
    recipes = ", ".join(f"`{recipe}`" for recipe in runs)
    report.text(
        f"Data: **{choice.label}**, the first N training images (for '10 per class': ten of each class, drawn "
        f"with data.seed {base.data.seed}). Every run is a recipe ({recipes}) as it is "
        f"(its loss, EMA of G, batch, precision and seed {base.train.seed}) for {size['steps']:,} steps, changing "
        "only `train.augment`: DiffAugment's colour, translation and cutout on every image D sees; ADA's geometric "
        f"and colour transforms with probability p, steered toward r_t = E[sign(D(real))] = {base.train.ada_target} "
        f"and free to move from 0 to 1 in {base.train.ada_kimg:g} thousand images. FID: {size['n_final']:,} "
        f"samples of the EMA copy against the {scorer.n_real:,} test images in the `{choice.extractor}` "
        f"classifier's features; the curve uses {size['n_curve']:,} samples on fixed noise (biased upwards, compare "
        "curves with each other). 'FID of the subset itself' scores the N training images as if they were "
        "samples: FID is biased upwards for few images, so at 100 images it overstates what a copying generator "
        "would score with 10,000. D's gap is its mean logit on its training images minus on as many held-out test "
        "images (eval mode): it grows as D memorises its images.\n\n"
        "Published reference for the shape (not comparable in value): at 10% of CIFAR-10, StyleGAN2's FID "
        "falls from about 36 to 14 with DiffAugment (Zhao et al. 2020) and ADA reports a similar gain (Karras "
        "et al. 2020). A StyleGAN2 step costs about 12 DCGAN steps on a CPU (benchmarks/style_speed.py), so the "
        "default's rows are DCGAN's and StyleGAN2's are `--full`'s; `--only` runs single rows of either at this "
        "scale's steps.")
    report.table(rows)
    report.figure(report.out_dir / "fid_and_p.png", "FID against steps (log scale) and ADA's p.")
    for recipe, by_subset in runs.items():
        for subset in by_subset:
            report.figure(report.out_dir / f"samples_{_key(recipe, subset)}.png",
                          f"{MODELS[recipe]}, {subset}: the training images (top row), then samples "
                          + ", ".join(("without augmentation" if kind == "none" else f"with {AUGMENTS[kind]}")
                                      for kind in by_subset[subset]) + ".")
    report.text(f"Wall time {wall:.0f} s in all, one seed per run.")


def _claims(report, model: str, by_subset: dict, smallest: str) -> None:
    """The scale's smallest subset (the one issue 24's target names) against the target (and ADA's p) when all
    three augmentations ran on it; the others, and every subset an --only picked instead, reported."""
    for subset, by in by_subset.items():
        if subset == smallest and list(by) == list(AUGMENTS):
            plain, better = by["none"]["fid"], min(("diffaug", "ada"), key=lambda k: by[k]["fid"])
            augmented = by[better]["fid"]
            report.claim(f"{model} FID at {subset}, {AUGMENTS[better]} vs none", f"{augmented:.1f} vs {plain:.1f} "
                         f"({100 * (1 - augmented / plain):.0f}% lower)", "at least 25% lower (issue 24's target)")
            report.claim(f"{model}: ADA's p at the end, {subset}", f"{by['ada']['p']:.2f}", "rises on its own from 0")
            continue
        names = " / ".join("none" if kind == "none" else AUGMENTS[kind] for kind in by)
        report.claim(f"{model} FID at {subset}: {names}", " / ".join(f"{r['fid']:.1f}" for r in by.values()),
                     "reported, no target")
