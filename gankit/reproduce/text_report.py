"""The report of `gankit reproduce text`: results.json, the claims, the tables, the sample sentences and the
two quality-diversity planes (BLEU-5 against Self-BLEU-5, LM score against reverse-LM score)."""

from __future__ import annotations

import math
import statistics

from gankit.reproduce.report import markdown_table

MODELS = ("mle", "seqgan", "gumbel")
NAMES = {"mle": "MLE", "seqgan": "SeqGAN", "gumbel": "Gumbel", "unigram": "unigram model",
         "real": "real training sentences"}
KEYS = ("bleu2", "bleu3", "bleu4", "bleu5", "self_bleu2", "self_bleu3", "self_bleu4", "self_bleu5", "lm_score",
        "reverse_lm_score", "distinct2", "copied")
# (x, y, x higher is better): both planes read "lower y at the same x is more diverse at the same quality"
PLANES = {"bleu": ("bleu5", "self_bleu5", True), "lm": ("lm_score", "reverse_lm_score", False)}
CHANCE = {"seqgan": 2 * math.log(2), "gumbel": math.log(2)}  # each D loss when D cannot tell real from fake


def mean_curve(per_seed: dict) -> list[dict]:
    """The curve averaged over seeds, point by point (every seed sweeps the same temperatures)."""
    curves = list(per_seed.values())
    return [{k: statistics.mean(c[i][k] for c in curves) for k in curves[0][i]} for i in range(len(curves[0]))]


def at_one(curve: list[dict]) -> dict:
    """A curve's point at temperature 1."""
    return next(p for p in curve if p["temperature"] == 1.0)


def mean_point(per_seed: dict) -> dict:
    """A reference point averaged over seeds."""
    points = list(per_seed.values())
    return {k: statistics.mean(p[k] for p in points) for k in points[0]}


def against_curve(point: dict, curve: list[dict], plane: str) -> float | None:
    """How far the point's y lies below the curve's y at the point's x (positive: more diverse than the curve
    at equal quality, i.e. better); None when the point's x is outside the curve's range."""
    x_key, y_key, _ = PLANES[plane]
    xs = sorted((p[x_key], p[y_key]) for p in curve)
    x = point[x_key]
    for (x0, y0), (x1, y1) in zip(xs, xs[1:]):
        if x0 <= x <= x1:
            y = y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            return y - point[y_key]
    return None


def verdict(gap: float | None, plane: str) -> str:
    """A GAN's T=1 point against MLE's temperature curve, in words."""
    if gap is None:
        return "outside MLE's sweep"
    side = "below (better than) MLE's curve" if gap > 0 else "above (worse than) MLE's curve"
    return f"{side} by {abs(gap):.3f} in {PLANES[plane][1]}"


def write(report, size: dict, curves: dict, points: dict, samples: dict, seconds: dict, d_loss: dict,
          wall: float) -> None:
    """Everything the reproduction measured, into the report."""
    mean = {m: mean_curve(curves[m]) for m in MODELS}
    ones = {m: at_one(mean[m]) for m in MODELS} | {r: mean_point(points[r]) for r in ("unigram", "real")}
    for model, values in ones.items():
        for key in KEYS + ("nll_test",):
            if key in values:
                report.measure(f"{key}.{model}", values[key])
    report.measure("curves", {m: {str(s): c for s, c in per.items()} for m, per in curves.items()})
    report.measure("references", {r: {str(s): p for s, p in per.items()} for r, per in points.items()})
    report.measure("samples", {m: {str(s): lines for s, lines in per.items()} for m, per in samples.items()})
    report.measure("train_seconds", seconds)
    report.measure("d_loss_last_fifth", d_loss)
    floor = ones["unigram"]["bleu3"]
    report.claim("BLEU-3 at T=1: MLE / SeqGAN / Gumbel (unigram model)",
                 " / ".join(f"{ones[m]['bleu3']:.3f}" for m in MODELS) + f" ({floor:.3f})",
                 "above the unigram model's (the issue's target): " +
                 ("yes" if all(ones[m]["bleu3"] > floor for m in MODELS) else "no"))
    report.claim("Self-BLEU-5 at T=1: MLE / SeqGAN / Gumbel (real sentences)",
                 " / ".join(f"{ones[m]['self_bleu5']:.3f}" for m in MODELS) + f" ({ones['real']['self_bleu5']:.3f})",
                 "beside MLE's, so a collapsed GAN shows (higher: less diverse)")
    for model in ("seqgan", "gumbel"):
        for plane in PLANES:
            report.claim(f"{NAMES[model]}'s T=1 point, {PLANES[plane][0]} against {PLANES[plane][1]}",
                         verdict(against_curve(ones[model], mean["mle"], plane), plane),
                         "Caccia et al. 2020: MLE's temperature curve beats the language GANs everywhere")
    report.text(budget_text(size, wall, d_loss))
    rows = [[NAMES[m]] + [ones[m].get(k) for k in ("bleu2", "bleu3", "bleu5", "self_bleu3", "self_bleu5",
                                                   "lm_score", "reverse_lm_score", "nll_test", "distinct2", "copied")]
            for m in MODELS + ("unigram", "real")]
    report.text("At temperature 1 (mean over seeds); BLEU against the test sentences (higher: closer to real "
                "text), Self-BLEU among the samples (lower: more diverse), LM score (the NLL of the samples under "
                "an LSTM trained on the training sentences: quality) and reverse-LM score (the NLL of the test "
                "sentences under an LSTM trained on the samples: diversity), both lower is better. The real "
                "sentences' LM score is flattered (the LM trained on them) and their copies are 100% by "
                "construction; they mark where the data itself sits.\n\n" + markdown_table(
                    ["", "BLEU-2", "BLEU-3", "BLEU-5", "Self-BLEU-3", "Self-BLEU-5", "LM", "reverse LM",
                     "NLL-test", "distinct 2-grams", "copied"], rows))
    sweep = [[NAMES[m], p["temperature"], p["bleu5"], p["self_bleu5"], p["lm_score"], p["reverse_lm_score"],
              p["nll_test"]] for m in MODELS for p in mean[m]]
    report.text("The temperature sweep:\n\n" + markdown_table(
        ["model", "T", "BLEU-5", "Self-BLEU-5", "LM", "reverse LM", "NLL-test"], sweep))
    report.figure(plot_planes(report.out_dir / "quality_diversity.png", mean, ones),
                  "Left: BLEU-5 (quality, higher is better) against Self-BLEU-5 (lower: more diverse); right: LM "
                  "score (quality) against reverse-LM score (diversity), both lower is better. One curve per model "
                  "over the temperature sweep (seed mean), its T=1 point starred; the unigram model and real "
                  "training sentences as reference points")
    seed = next(iter(samples["mle"]))
    for model in MODELS + ("unigram",):
        lines = "\n".join(f"    {line}" for line in samples[model][seed])
        report.text(f"Samples of {NAMES[model]} (T=1, seed {seed}):\n\n{lines}")


def budget_text(size: dict, wall: float, d_loss: dict) -> str:
    """The budget and what D did, in words."""
    losses = ", ".join(f"{NAMES[m]} {statistics.mean(v):.3f} (chance {CHANCE[m]:.3f})" for m, v in d_loss.items())
    data = f"the first {size['limit']:,} training sentences" if size["limit"] else "all training sentences"
    return (f"Budget (seeds {size['seeds']}, {data}): MLE {size['mle']:,} steps; "
            f"SeqGAN from that MLE model: {size['d_pretrain']:,} D steps, then {size['seqgan_adv']:,} adversarial "
            f"steps ({size['rollouts']} rollouts, {size['adv_d']} D updates each, D at {size['d_filters']}% of "
            f"SeqGAN's filters); the Gumbel GAN from it: {size['gumbel_adv']:,} adversarial steps. Every point "
            f"reads {size['n']:,} samples (BLEU and Self-BLEU at most 2,000). D's loss over the last fifth of "
            f"the GAN steps: {losses}. Wall time {wall / 60:.1f} min on the CPU. The papers train for hours on a "
            "GPU; these are minutes on 2 cores, so read the shapes and gaps, not digits.")


def plot_planes(path, mean: dict, ones: dict):
    """The two quality-diversity planes side by side."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, (plane, (x_key, y_key, _)) in zip(axes, PLANES.items()):
        for color, model in zip(("tab:blue", "tab:orange", "tab:green"), MODELS):
            ax.plot([p[x_key] for p in mean[model]], [p[y_key] for p in mean[model]], "-o", color=color, ms=3,
                    label=NAMES[model])
            ax.plot(ones[model][x_key], ones[model][y_key], "*", color=color, ms=13)
        for marker, ref in (("s", "unigram"), ("D", "real")):
            ax.plot(ones[ref][x_key], ones[ref][y_key], marker, color="k", ms=7, label=NAMES[ref])
        ax.set_xlabel(f"{x_key} ({'higher' if PLANES[plane][2] else 'lower'} is better)")
        ax.set_ylabel(f"{y_key} (lower: more diverse)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
