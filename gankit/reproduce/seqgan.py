"""Yu et al. 2017, Table 1, on SeqGAN's oracle benchmark: NLL-oracle of a random G, MLE, SeqGAN and a
Gumbel-softmax GAN, then each model's quality-diversity curve over a temperature sweep.

Each model is its recipe (mle_oracle, seqgan_oracle, gumbel_oracle) trained for this scale's budget on the
CPU, once per seed; SeqGAN and the Gumbel GAN pretrain by maximum likelihood for as many steps as the MLE
model, with the same seed, so their adversarial phase starts from the MLE model itself. NLL-oracle is the
oracle's NLL of samples (quality), NLL-test G's NLL of the 10,000 held-out oracle sequences (diversity),
both at temperature T: samples from softmax(logits / T), and NLL-test under that same distribution, as
Caccia et al. 2020 sweep it. The oracle's entropy (its NLL of its own held-out samples) is the floor: a
model below it in NLL-oracle is sharper than the data, not better.
"""

from __future__ import annotations

import statistics
import time

import torch

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.data.oracle import oracle_nll
from gankit.objectives.text import masked_nll
from gankit.reproduce.progress import keeper
from gankit.reproduce.report import markdown_table
from gankit.reproduce.translation_common import train
from gankit.train.session import start_session

TITLE = "Yu et al. 2017, Table 1: NLL-oracle of random, MLE, SeqGAN and Gumbel-softmax generators on the oracle"
PAPER = {"random": 10.310, "mle": 9.038, "seqgan": 8.736}  # SeqGAN Table 1 (its own oracle, entropy ~5.75)
MODELS = ("random", "mle", "seqgan", "gumbel")
RECIPES = {"mle": "mle_oracle", "seqgan": "seqgan_oracle", "gumbel": "gumbel_oracle"}

SIZES = {
    "tiny": {"seeds": [0], "mle": 4, "d_pretrain": 2, "seqgan_adv": 2, "adv_d": 1, "rollouts": 2,
             "gumbel_adv": 2, "d_filters": 5, "n": 200, "n_test": 300, "temperatures": [0.7, 1.0, 1.5]},
    "default": {"seeds": [0, 1], "mle": 1570, "d_pretrain": 150, "seqgan_adv": 20, "adv_d": 5, "rollouts": 8,
                "gumbel_adv": 100, "d_filters": 25, "n": 2000, "n_test": 2000,
                "temperatures": [0.5, 0.7, 1.0, 1.25, 1.5]},
    "full": {"seeds": [0, 1, 2], "mle": 18750, "d_pretrain": 23550, "seqgan_adv": 200, "adv_d": 2355,
             "rollouts": 16, "gumbel_adv": 3000, "d_filters": 100, "n": 10_000, "n_test": 10_000,
             "temperatures": [0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.43]},
}


def overrides(model: str, size: dict, seed: int) -> list[str]:
    """The recipe's settings cut to this scale's budget."""
    common = ["train.progress=false", f"train.seed={seed}", "train.eval_every=0"]
    if model == "mle":
        return common + [f"train.steps={size['mle']}"]
    if model == "seqgan":
        return common + [f"train.steps={size['mle'] + size['d_pretrain'] + size['seqgan_adv']}",
                         f"seqgan.mle_steps={size['mle']}", f"seqgan.d_pretrain_steps={size['d_pretrain']}",
                         f"seqgan.adv_d_steps={size['adv_d']}", f"seqgan.rollouts={size['rollouts']}",
                         f"model.d_filters={size['d_filters']}"]
    return common + [f"train.steps={size['mle'] + size['gumbel_adv']}", f"gumbel.mle_steps={size['mle']}",
                     f"g_optim.lr_from=[{size['mle']}, 0.0001]", f"model.d_filters={size['d_filters']}"]


def sweep(G, oracle, test: torch.Tensor, size: dict, seed: int) -> list[dict]:
    """(temperature, NLL-oracle, NLL-test) of G at each temperature of the sweep."""
    points = []
    for temperature in size["temperatures"]:
        G.eval()
        fake = G.sample(size["n"], torch.Generator().manual_seed(1000 + seed), temperature=temperature)
        points.append({"temperature": temperature, "nll_oracle": oracle_nll(oracle, fake),
                       "nll_test": masked_nll(G, test, None, chunk=500, temperature=temperature)})
    return points


def run(report) -> None:
    """Train every model for every seed, sweep its temperature, and write the tables and the curves."""
    size, started = SIZES[report.scale], time.perf_counter()
    data = load_dataset(load_config("mle_oracle").data)
    test = load_dataset(load_config("mle_oracle", ["data.split=test"]).data).tokens[: size["n_test"]]
    entropy = oracle_nll(data.oracle, test)
    curves: dict = {m: {} for m in MODELS}
    seconds: dict = {m: [] for m in MODELS}
    for seed in size["seeds"]:
        random_cfg = load_config("mle_oracle", overrides("mle", size, seed))
        curves["random"][seed] = sweep(start_session(random_cfg, data, "cpu").nets["G"], data.oracle, test, size,
                                       seed)
        for model, recipe in RECIPES.items():
            cfg = load_config(recipe, overrides(model, size, seed))
            s = train(cfg, data, steps=cfg.train.steps, keep=keeper(report, f"{model}-seed{seed}"))
            seconds[model].append(s.wall_time)
            curves[model][seed] = sweep(s.parts.sampling_net(), data.oracle, test, size, seed)
    write(report, size, curves, entropy, seconds, time.perf_counter() - started)


def at_one(curve: list[dict], key: str) -> float:
    """A curve's value at temperature 1."""
    return next(p[key] for p in curve if p["temperature"] == 1.0)


def write(report, size: dict, curves: dict, entropy: float, seconds: dict, wall: float) -> None:
    """results.json, the Table 1 comparison, the claims and the quality-diversity picture."""
    seeds = size["seeds"]
    mean = {key: {m: statistics.mean(at_one(curves[m][s], key) for s in seeds) for m in MODELS}
            for key in ("nll_oracle", "nll_test")}
    for key, values in mean.items():
        for model, value in values.items():
            report.measure(f"{key}.{model}", value)
    report.measure("oracle_entropy", entropy)
    report.measure("curves", {m: {str(s): c for s, c in per.items()} for m, per in curves.items()})
    report.measure("train_seconds", seconds)
    below = all(at_one(curves["seqgan"][s], "nll_oracle") < at_one(curves["mle"][s], "nll_oracle") for s in seeds)
    report.claim("SeqGAN's NLL-oracle below its MLE start, every seed", "yes" if below else "no",
                 "yes (the issue's target at the default scale)")
    report.claim("NLL-oracle at T=1: random / MLE / SeqGAN / Gumbel",
                 " / ".join(f"{mean['nll_oracle'][m]:.3f}" for m in MODELS), "10.310 / 9.038 / 8.736 / - (paper)")
    budget = (f"MLE {size['mle']:,} steps; SeqGAN then {size['d_pretrain']:,} D steps and {size['seqgan_adv']:,} "
              f"adversarial steps ({size['rollouts']} rollouts, {size['adv_d']:,} D updates each, D at "
              f"{size['d_filters']}% of SeqGAN's filters); the Gumbel GAN {size['gumbel_adv']:,} adversarial steps")
    report.text(f"Budget ({report.scale} scale): {budget}; seeds {seeds}; NLL-oracle on {size['n']:,} samples. "
                + ("The paper's budget (120 MLE epochs, 50 x 3 D pretraining epochs, 200 rounds) is `--full`."
                   if report.scale != "full" else "The paper's budget.")
                + f" Wall time {wall / 60:.1f} min on the CPU.")
    rows = [[m, mean["nll_oracle"][m], PAPER.get(m), mean["nll_test"][m]] for m in MODELS]
    report.text(markdown_table(["model", "NLL-oracle (gankit, T=1)", "NLL-oracle (paper)", "NLL-test (gankit)"], rows))
    report.text(f"The oracle's entropy here is {entropy:.3f} nats a token (SeqGAN's oracle: about 5.75, Caccia et "
                "al. 2020); the paper's numbers come from its own oracle, drawn by another random generator, so "
                f"they compare in order and gaps, not digit for digit. NLL-test reads {size['n_test']:,} held-out "
                "sequences.")
    report.figure(plot_curves(report.out_dir / "quality_diversity.png", curves, entropy),
                  "NLL-oracle (quality, lower is better) against NLL-test (diversity, lower is better) over the "
                  "temperature sweep, one curve per model and seed; the T=1 points marked; dashed: the oracle's "
                  "entropy")


def plot_curves(path, curves: dict, entropy: float):
    """The quality-diversity picture."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    for color, model in zip(("grey", "tab:blue", "tab:orange", "tab:green"), MODELS):
        for i, (seed, curve) in enumerate(curves[model].items()):
            xs, ys = [p["nll_oracle"] for p in curve], [p["nll_test"] for p in curve]
            ax.plot(xs, ys, "-o", color=color, ms=3, label=model if i == 0 else None)
            ax.plot(at_one(curve, "nll_oracle"), at_one(curve, "nll_test"), "*", color=color, ms=12)
    ax.axvline(entropy, ls="--", color="k", lw=1)
    ax.axhline(entropy, ls="--", color="k", lw=1)
    ax.set_xlabel("NLL-oracle (quality)")
    ax.set_ylabel("NLL-test (diversity)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
