"""Mirza and Osindero 2014: the conditional GAN's Parzen-window log-likelihood beside the unconditional GAN's.

Both are trained as their papers' MNIST nets are (recipes `cgan_mnist` and
`maxout_mnist`) on the same images for the same number of steps, and scored
with the 2014 Parzen protocol of Table 1 (gankit.reproduce.table1); the
conditional G is asked for every class equally. Class-conditional grids show
whether the label is obeyed, and on Fashion-MNIST the domain classifier says
how often its samples are of the class asked for.
"""

from __future__ import annotations

import time

import torch

from gankit.config import load_config
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.parzen import parzen_report
from gankit.reproduce.table1 import Splits, data_choice, final_samples, mnist_verdict, pixels, train
from gankit.viz.grid import save_grid

TITLE = "Mirza and Osindero 2014: Parzen log-likelihood of the conditional GAN beside the unconditional GAN"
USES_DATA = True  # `gankit reproduce cgan --data FOLDER` trains on the user's MNIST-format IDX files

# The paper's Table 1 (MNIST, Parzen log-likelihood in nats, standard error over test examples).
PAPER = {"cgan_mnist": (132, 1.8), "maxout_mnist": (225, 2)}
NAMES = {"cgan_mnist": "conditional GAN (cgan_mnist)", "maxout_mnist": "unconditional GAN (maxout_mnist)"}

SIZES = {
    "tiny": {"steps": 4, "every": 2, "n_curve": 100, "n_final": 200,
             "sets": {"cgan_mnist": ["model.g_hidden=[16, 16, 32]", "model.d_hidden=[16, 8, 16]"],
                      "maxout_mnist": ["model.g_hidden=[32, 32]", "model.d_hidden=[16, 16]"]}},
    "default": {"steps": 5000, "every": 1000, "n_curve": 1000, "n_final": 10_000, "sets": {}},
    "full": {"steps": 50_000, "every": 5000, "n_curve": 1000, "n_final": 10_000, "sets": {}},
}


def label_accuracy(session, data_name: str, n: int) -> dict | None:
    """How often the domain classifier sees the class the conditional G was asked for (Fashion-MNIST only)."""
    if data_name != "fashion_mnist":
        return None
    inputs = session.family.inputs(session.parts, n, torch.Generator().manual_seed(13))
    _, probs = extract_features(session.family.generate(session.parts, inputs), load_extractor("fashion_mnist"))
    hits = (probs.argmax(1) == inputs["y"]).double()
    per_class = [float(hits[inputs["y"] == k].mean()) for k in range(int(inputs["y"].max()) + 1)]
    return {"overall": float(hits.mean()), "per_class": per_class}


def run(report) -> None:
    """Train both GANs on the same images, score them with the Parzen protocol, draw one row per class."""
    size, started = SIZES[report.scale], time.perf_counter()
    label, overrides = data_choice(report.data_path)
    results, splits = {}, None
    for recipe in ("cgan_mnist", "maxout_mnist"):
        cfg = load_config(recipe, overrides + size["sets"].get(recipe, []) +
                          ["train.progress=false", f"train.steps={size['steps']}"])
        splits = splits or Splits(cfg.data)
        cfg.data.limit = splits.n_train  # the validation rows are never trained on
        result = train(cfg, splits, size)
        fake = final_samples(result, size["n_final"])
        results[recipe] = dict(result, cfg=cfg, parzen=parzen_report(pixels(fake), splits.validation, splits.test))
    s = results["cgan_mnist"]["session"]
    classes = s.spec.num_classes
    grid = s.family.generate(s.parts, s.family.inputs(s.parts, 10 * classes, torch.Generator().manual_seed(14)))
    save_grid(grid, report.out_dir / "samples_by_class.png", nrow=10, scale=2)
    accuracy = label_accuracy(s, results["cgan_mnist"]["cfg"].data.name, size["n_final"])
    is_mnist, evidence = mnist_verdict(splits.all_train)
    write(report, size, results, dict(label=label, is_mnist=is_mnist, evidence=evidence, splits=splits,
                                      accuracy=accuracy, classes=classes, wall=time.perf_counter() - started))


def write(report, size: dict, results: dict, r: dict) -> None:
    """Measurements, the comparison with the paper and the text."""
    data = "MNIST" if r["is_mnist"] else r["label"]
    rows = []
    for recipe, res in results.items():
        p = res["parzen"]
        ours = f"{p['mean']:.1f} +/- {p['std_error']:.1f}"
        paper = f"{PAPER[recipe][0]} +/- {PAPER[recipe][1]}"
        report.claim(f"Parzen log-likelihood, {NAMES[recipe]} ({data})", ours,
                     f"{paper} on MNIST (paper)" + ("" if r["is_mnist"] else "; other data, not comparable"))
        rows.append({"model": NAMES[recipe], "MNIST (paper)": paper, f"this run ({data})": ours,
                     "sigma": p["sigma"], "train s": res["seconds"]})
        for key, value in (("parzen_mean", p["mean"]), ("parzen_std_error", p["std_error"]),
                           ("parzen_sigma", p["sigma"]), ("curve", [list(c) for c in res["curve"]]),
                           ("train_seconds", res["seconds"])):
            report.measure(f"{recipe}_{key}", value)
    cgan, gan = (results[k]["parzen"]["mean"] for k in ("cgan_mnist", "maxout_mnist"))
    report.claim("conditional minus unconditional", f"{cgan - gan:+.1f} nats", "-93 in the paper (cGAN lower)")
    for key, value in (("dataset", r["label"]), ("looks_like_mnist", r["is_mnist"]), ("steps", size["steps"]),
                       ("n_samples", size["n_final"]), ("label_accuracy", r["accuracy"]), ("wall_seconds", r["wall"])):
        report.measure(key, value)
    if r["accuracy"] is not None:
        report.claim("samples of the class asked for (domain classifier)", f"{r['accuracy']['overall']:.1%}",
                     "near the classifier's own test accuracy (~92%) if the label is obeyed; 10% if ignored")
    verdict = ("These look like MNIST, so the paper's numbers are directly comparable." if r["is_mnist"] else
               "**This is not MNIST, so the paper's numbers are not comparable**; only the comparison of the two "
               "models on the same data is. With MNIST's IDX files: `gankit reproduce cgan --data FOLDER`.")
    report.text(
        f"Data: **{r['label']}** ({r['evidence']}). {verdict}\n\n"
        f"Both GANs trained {size['steps']:,} steps on the first {r['splits'].n_train:,} training images, with the "
        "papers' networks and SGD settings (recipes `cgan_mnist`: G z -> 200 and y -> 1000 ReLU towers, joint "
        "1200, sigmoid output; D maxout towers x -> 240x5 and y -> 50x5, joint 240x4; dropout 0.5; and "
        "`maxout_mnist`, the 2014 GAN). The conditional G draws every class equally. Protocol as Table 1: "
        f"{size['n_final']:,} samples, sigma chosen on {len(r['splits'].validation):,} held-out training rows, "
        f"mean log-likelihood of the {len(r['splits'].test):,} test images with its standard error.")
    report.table(rows)
    verdict = "lower" if cgan < gan else "higher"
    report.text(f"Observed: the conditional GAN's estimate is **{verdict}** than the unconditional one's by "
                f"{abs(cgan - gan):.1f} nats (the paper: lower by 93, and it calls its result a proof of concept). "
                "A Parzen estimate rewards samples close to test images, so it says little about whether labels "
                "are obeyed; the grid and the classifier's accuracy below do.")
    report.figure(report.out_dir / "samples_by_class.png",
                  f"The conditional G: one row per class (0 to {r['classes'] - 1}), ten samples each.")
    if r["accuracy"] is not None:
        report.table([{"class": k, "asked-for class seen": f"{a:.1%}"}
                      for k, a in enumerate(r["accuracy"]["per_class"])])
