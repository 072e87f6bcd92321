"""Choi et al. 2018 (StarGAN): one multi-domain model against a CycleGAN per pair of domains.

One StarGAN (recipe stargan_footwear) translates between sandals, sneakers and
ankle boots; three CycleGANs with the cyclegan_sandal2sneaker recipe's settings
each learn one pair (sandal-sneaker, sandal-ankle boot, sneaker-ankle boot) from
the same training images. As the paper's RaFD table, a classifier trained on
real images (gankit's Fashion-MNIST domain classifier) reads the translations:
the classification error per target domain, for StarGAN on every test image
translated into each domain (evaluate_translation's error_per_class) and on the
images of the other two domains only; for the CycleGANs, target domain k's
translations come from the two CycleGANs that end in k (inputs from the two
other domains); and the classifier's own error on real test images of k.
"""

from __future__ import annotations

import time

import torch

from gankit.data import load_dataset, to_float
from gankit.data.fashion_tasks import FOOTWEAR
from gankit.data.idx import FASHION_MNIST_CLASSES
from gankit.data.images import ImageDataset
from gankit.data.translation import UnpairedDataset
from gankit.metrics.evaluate_translation import Judge
from gankit.reproduce.translation_common import (budget_text, config, evaluate, pct, record, record_environment,
                                                 sample_grid, save_columns, test_split, train_for, verdict)

TITLE = "Choi et al. 2018 (StarGAN): one model for three footwear domains against a CycleGAN per pair"
STARGAN, CYCLEGAN = "stargan_footwear", "cyclegan_sandal2sneaker"
PAIRS = ((0, 1), (0, 2), (1, 2))  # domain indices of footwear: sandal 0, sneaker 1, ankle boot 2
TARGET = 0.85  # StarGAN's mean target-domain accuracy
# The paper's RaFD expression-classification error (a classifier trained on real images).
PAPER = {"StarGAN": 2.12, "CycleGAN": 5.99, "real images": 0.45}
GRID_PER_DOMAIN = 3

# steps: StarGAN's training steps; cycle_steps: each CycleGAN's; n_eval: test images
# scored; star_sets / cycle_sets: overrides of the two recipes (data options must agree: the CycleGANs
# train on the footwear images loaded with star_sets).
TINY = ["data.limit=40", "data.resolution=16", "model.width=4", "model.g_blocks=1", "train.batch_size=4"]
SIZES = {
    "tiny": {"steps": 3, "cycle_steps": 3, "n_eval": 20, "star_sets": TINY, "cycle_sets": TINY + ["model.d_layers=1"]},
    "default": {"steps": 1200, "cycle_steps": 600, "n_eval": 2000, "star_sets": [],
                "cycle_sets": ["g_optim.linear_decay=[300, 600]", "d_optim.linear_decay=[300, 600]"]},
    "full": {"steps": 6000, "cycle_steps": 3000, "n_eval": 10_000, "star_sets": [],
             "cycle_sets": ["g_optim.linear_decay=[1500, 3000]", "d_optim.linear_decay=[1500, 3000]"]},
}


def pair_data(footwear: ImageDataset, i: int, j: int, jitter: bool) -> UnpairedDataset:
    """Domain A = footwear's images of domain i, B = those of domain j (labels: their Fashion-MNIST classes)."""
    a, b = footwear.images[footwear.labels == i], footwear.images[footwear.labels == j]
    names = footwear.class_names
    return UnpairedDataset(a, b, torch.full((len(a),), FOOTWEAR[i]), torch.full((len(b),), FOOTWEAR[j]), None,
                           f"{names[i]}2{names[j]}", FASHION_MNIST_CLASSES, jitter)


def to_domain(cycles: dict, x: torch.Tensor, i: int, k: int) -> torch.Tensor:
    """Images x of domain i translated into domain k by the CycleGAN of the pair (i, k)."""
    pair = (min(i, k), max(i, k))
    s = cycles[pair]
    return s.family.generate(s.parts, {"x": x, "direction": "AtoB" if pair[0] == i else "BtoA"})


def cross_domain_scores(judge: Judge, translate, x: torch.Tensor, y: torch.Tensor, k: int) -> dict:
    """Judge's scores of translations into domain k of the test images of the other domains.

    translate(x_i, i) maps images of domain i into k. Empty when either side has no test images.
    """
    real, others = x[y == k], [i for i in range(len(FOOTWEAR)) if i != k]
    inputs = [x[y == i] for i in others]
    if len(real) == 0 or sum(len(v) for v in inputs) == 0:
        return {}
    fake = torch.cat([translate(v, i) for v, i in zip(inputs, others) if len(v)])
    cls = FOOTWEAR[k]
    return judge.scores(fake, real, torch.cat(inputs), torch.full((len(fake),), cls), torch.full((len(real),), cls))


def grid_examples(test: ImageDataset) -> ImageDataset:
    """The first GRID_PER_DOMAIN test images of each domain, domain by domain."""
    idx = torch.cat([torch.nonzero(test.labels == d).flatten()[:GRID_PER_DOMAIN] for d in range(len(FOOTWEAR))])
    return ImageDataset(test.images[idx], test.labels[idx], test.num_classes, test.name, test.class_names)


def cyclegan_grid(cycles: dict, examples: ImageDataset, path) -> None:
    """input | into each domain, the CycleGANs' way: the input itself in its own domain's column."""
    x, y = to_float(examples.images), examples.labels
    columns = [x]
    for k in range(len(FOOTWEAR)):
        columns.append(torch.cat([x[n:n + 1] if int(y[n]) == k else to_domain(cycles, x[n:n + 1], int(y[n]), k)
                                  for n in range(len(x))]))
    save_columns(columns, path, per_row=1)


def run(report) -> None:
    """Train StarGAN and the three CycleGANs on the same footwear images, score every target domain, draw grids."""
    size, started = SIZES[report.scale], time.perf_counter()
    star_cfg = config(STARGAN, size["star_sets"])
    footwear = load_dataset(star_cfg.data)
    star = train_for(star_cfg, size, "steps", footwear)
    star_scores = evaluate(star, size["n_eval"])
    cycles = {}
    for i, j in PAIRS:
        cfg = config(CYCLEGAN, size["cycle_sets"] + ["data.name=sandal2sneaker"])  # validated; data is ours
        cycles[(i, j)] = train_for(cfg, size, "cycle_steps", pair_data(footwear, i, j, cfg.data.jitter))
    test = test_split(star_cfg.data, size["n_eval"])  # the images evaluate_translation scores StarGAN on
    x, y = to_float(test.images), test.labels
    judge = Judge(torch.device("cpu"))
    star_other, cycle_scores = [], []
    for k in range(len(FOOTWEAR)):
        into_k = torch.full((len(x),), k)
        star_other.append(cross_domain_scores(
            judge, lambda v, i: star.family.generate(star.parts, {"x": v, "y": into_k[:len(v)]}), x, y, k))
        cycle_scores.append(cross_domain_scores(judge, lambda v, i: to_domain(cycles, v, i, k), x, y, k))
    examples = grid_examples(test)
    star_caption = sample_grid(star, report.out_dir / "grid_stargan.png", examples)
    cyclegan_grid(cycles, examples, report.out_dir / "grid_cyclegans.png")
    record(report, "stargan", star, star_scores | {"other_domains": star_other})
    for (i, j), s in cycles.items():
        record(report, f"cyclegan_{i}{j}", s, {})
    report.measure("cyclegan_per_target", cycle_scores)
    record_environment(report, size["n_eval"])
    report.measure("wall_seconds", time.perf_counter() - started)
    write(report, size, dict(star=star, star_scores=star_scores, star_other=star_other, cycles=cycles,
                             cycle_scores=cycle_scores, caption=star_caption))


def _error(scores: dict) -> float | None:
    acc = scores.get("accuracy")
    return None if acc is None else 1 - acc


def _mean(values: list) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def error_rows(r: dict, names: tuple[str, ...]) -> tuple[list[dict], dict]:
    """(one row per target domain, the mean and the paper's RaFD numbers; each column's mean over domains)."""
    star = r["star_scores"]
    real_err = [None if a is None else 1 - a for a in star.get("accuracy_real_per_class", [None] * len(names))]
    columns = {"StarGAN, every input": star.get("error_per_class", [None] * len(names)),
               "StarGAN, other domains": [_error(s) for s in r["star_other"]],
               "CycleGANs, other domains": [_error(s) for s in r["cycle_scores"]],
               "real images": real_err,
               "FID StarGAN": [s.get("fid") for s in r["star_other"]],
               "FID CycleGANs": [s.get("fid") for s in r["cycle_scores"]]}
    rows = [{"target domain": name, **{c: pct(v[k]) if "FID" not in c else v[k] for c, v in columns.items()}}
            for k, name in enumerate(names)]
    rows.append({"target domain": "mean", **{c: pct(_mean(v)) if "FID" not in c else _mean(v)
                                             for c, v in columns.items()}})
    rows.append({"target domain": "RaFD (paper)", "StarGAN, every input": f"{PAPER['StarGAN']}%",
                 "CycleGANs, other domains": f"{PAPER['CycleGAN']}%", "real images": f"{PAPER['real images']}%"})
    return rows, {c: _mean(v) for c, v in columns.items()}


def write(report, size: dict, r: dict) -> None:
    """Claims, the error table beside the paper's, training times and the grids."""
    names = r["star"].spec.class_names
    rows, means = error_rows(r, names)
    acc = r["star_scores"].get("accuracy")
    report.claim("StarGAN mean target-domain accuracy", pct(acc),
                 f">= {TARGET:.0%} (target): {verdict(None if acc is None else acc >= TARGET)}")
    star_err, cyc_err = means["StarGAN, other domains"], means["CycleGANs, other domains"]
    report.claim("mean classification error: StarGAN (every input) / StarGAN (other domains) / CycleGANs / real",
                 " / ".join(pct(means[c]) for c in ("StarGAN, every input", "StarGAN, other domains",
                                                    "CycleGANs, other domains", "real images")),
                 f"RaFD (paper): {PAPER['StarGAN']}% / - / {PAPER['CycleGAN']}% / {PAPER['real images']}%")
    star_cfg, cyc = r["star"].cfg, next(iter(r["cycles"].values()))
    report.text(
        f"StarGAN: recipe `{STARGAN}` as it stands (width {star_cfg.model.width}, {star_cfg.model.g_blocks} residual "
        f"blocks, {star_cfg.loss.name} + {star_cfg.loss.penalty}, {star_cfg.train.n_critic} D steps per G step, batch "
        f"{star_cfg.train.batch_size}). CycleGANs: the `{CYCLEGAN}` recipe's settings (width {cyc.cfg.model.width}, "
        f"{cyc.cfg.model.g_blocks} blocks, batch {cyc.cfg.train.batch_size}), one per pair, each trained on the "
        "StarGAN's training images of its two domains. Every model trains for "
        f"{budget_text(size)} (seed {star_cfg.train.seed}). Errors on the first {size['n_eval']:,} footwear test "
        "images: *every input* translates each image into each domain, its own included (as evaluate_translation "
        "does); *other domains* translates only the images of the two other domains, as the CycleGANs must; "
        "*real images* is the classifier's own error on test images of that domain. FID of the other-domain "
        "translations against the domain's test images, in the classifier's features.")
    report.table(rows)
    order = "lower" if None not in (star_err, cyc_err) and star_err < cyc_err else "not lower"
    report.text(f"Observed: on the same inputs (other domains), StarGAN's mean error is **{pct(star_err)}** against "
                f"the CycleGANs' **{pct(cyc_err)}**: StarGAN {order} (the paper, RaFD: 2.12% against 5.99%, "
                f"one model against 14). The classifier's own error on real footwear is {pct(means['real images'])}"
                " (RaFD's 0.45%).")
    times = [{"model": "StarGAN", "models": 1, "steps": r["star"].step, "train s": r["star"].wall_time,
              "total train s": r["star"].wall_time}]
    total = sum(s.wall_time for s in r["cycles"].values())
    for (i, j), s in r["cycles"].items():
        times.append({"model": f"CycleGAN {names[i]} <-> {names[j]}", "models": 1, "steps": s.step,
                      "train s": s.wall_time, "total train s": None})
    times.append({"model": "CycleGANs, all", "models": len(r["cycles"]), "total train s": total})
    report.table(times)
    report.measure("train_seconds", {"stargan": r["star"].wall_time, "cyclegans": total})
    report.claim("training time: StarGAN (1 model) vs CycleGANs (3 models)",
                 f"{r['star'].wall_time:.1f} s vs {total:.1f} s", "one model for every pair of domains")
    report.figure(report.out_dir / "grid_stargan.png", f"StarGAN: {r['caption']} (test images).")
    report.figure(report.out_dir / "grid_cyclegans.png",
                  f"CycleGANs: input | {' | '.join(names)} (the input itself in its own domain's column).")
    report.text(f"Wall time {report.results['wall_seconds']:.0f} s in all. One seed per model; steps reached "
                "depend on the machine's speed.")
