"""StyleGAN2 against DCGAN on Fashion-MNIST at equal steps and at equal time, and truncation's precision-recall
trade.

`stylegan2_fashion` and `dcgan_fashion`, each as its recipe is, for the same number of G steps; FID of the EMA
copies' samples against the test split. DCGAN trains first; StyleGAN2 is scored also at the moment its own
training time reaches DCGAN's whole training time (equal time on this machine). Then a truncation sweep of
both (StyleGAN2 toward its mean w, DCGAN toward z's mean): precision and recall (k = 3) and FID at each psi.
Karras et al. 2019 (and Kynkaanniemi et al. 2019, whose precision and recall these are) report precision
rising and recall falling as psi falls. A style-mixing grid and a walk in w show what the style-based G offers
besides.
"""

from __future__ import annotations

import time

import torch
from matplotlib.figure import Figure

from gankit.atomic import atomic_write
from gankit.config import load_config
from gankit.objectives import OBJECTIVES
from gankit.objectives.outputs import write_png
from gankit.reproduce.datasets import image_data
from gankit.reproduce.dcgan_vs_mlp import Scorer
from gankit.reproduce.progress import keeper
from gankit.reproduce.translation_common import train as train_steps
from gankit.train.session import settle_sampler

TITLE = "StyleGAN2 against DCGAN at equal steps and at equal time, and truncation's precision-recall trade"
MODELS = {"StyleGAN2": "stylegan2_fashion", "DCGAN": "dcgan_fashion"}
PSIS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
TINY = {"StyleGAN2": ["model.width=4", "model.z_dim=8", "model.mapping_layers=2", "train.batch_size=8"],
        "DCGAN": ["model.width=4", "model.g_width=4", "model.z_dim=8", "train.batch_size=8"]}
SIZES = {
    "tiny": {"steps": 3, "n": 200, "n_real": 300, "psis": (1.0, 0.5), "tiny": True},
    "default": {"steps": 3000, "n": 10_000, "n_real": None, "psis": PSIS, "tiny": False},
    "full": {"steps": 10_000, "n": 10_000, "n_real": None, "psis": PSIS, "tiny": False},
}


def train(name: str, size: dict, choice, report=None, watch=None, notes: dict | None = None) -> tuple:
    """(session, training seconds) of one recipe after size['steps'] steps (kept as gankit.reproduce.progress);
    watch and notes as gankit.reproduce.translation_common.train takes them."""
    sets = choice.overrides + (TINY[name] + ["train.precision=fp32"] if size["tiny"] else [])
    cfg = load_config(MODELS[name], sets + [f"train.steps={size['steps']}", "train.progress=false"])
    s = train_steps(cfg, steps=size["steps"], keep=keeper(report, name.lower()), watch=watch, notes=notes)
    settle_sampler(s)
    return s, s.wall_time


def train_both(size: dict, choice, scorer: Scorer, report=None) -> tuple[dict, dict]:
    """({name: (session, seconds)}, StyleGAN2's scores when its training time first reached DCGAN's whole)."""
    dcgan = train("DCGAN", size, choice, report)
    notes: dict = {}

    @torch.no_grad()
    def scores_now(s) -> dict:
        settle_sampler(s)
        return {"step": s.step, "seconds": s.wall_time, **sweep(s, size, scorer, (1.0,))[1.0]}

    def at_dcgan_time(s, notes: dict) -> None:
        if "equal_time" not in notes and s.wall_time >= dcgan[1]:
            notes["equal_time"] = scores_now(s)

    style = train("StyleGAN2", size, choice, report, at_dcgan_time, notes)
    # StyleGAN2 trained all its steps within DCGAN's time when nothing was noted: its scores at the end
    return {"StyleGAN2": style, "DCGAN": dcgan}, notes.get("equal_time") or scores_now(style[0])


def sweep(s, size: dict, scorer: Scorer, psis=None) -> dict:
    """psi -> FID, precision, recall of n samples drawn with that truncation (psis: size['psis'] unless given)."""
    family = OBJECTIVES[s.cfg.objective]
    out = {}
    for psi in psis or size["psis"]:
        inputs = family.inputs(s.parts, size["n"], torch.Generator().manual_seed(8), truncation=str(psi))
        m = scorer.all(family.generate(s.parts, inputs))
        out[psi] = {"fid": m["fid"], "precision": m["precision"], "recall": m["recall"]}
    return out


def figure(sweeps: dict, path) -> None:
    fig = Figure(figsize=(5.6, 4.2), layout="constrained")
    ax = fig.subplots()
    for (name, by_psi), colour in zip(sweeps.items(), ("tab:orange", "tab:blue")):
        recall = [v["recall"] for v in by_psi.values()]
        precision = [v["precision"] for v in by_psi.values()]
        ax.plot(recall, precision, "o-", color=colour, label=name)
        for psi, r, p in zip(by_psi, recall, precision):
            ax.annotate(f"{psi:g}", (r, p), fontsize="x-small", textcoords="offset points", xytext=(3, 3))
    ax.set(xlabel="recall", ylabel="precision", title="Truncation: psi from 1 down")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    atomic_write(path, lambda f: fig.savefig(f, format="png", dpi=100))


def pictures(s, out_dir) -> None:
    """A style-mixing grid and a walk in w, as `gankit sample` draws them."""
    family = OBJECTIVES[s.cfg.objective]
    for name, arguments in (("style_mixing.png", {"style_mix": "2"}), ("walk.png", {"walk": "12"})):
        inputs = family.inputs(s.parts, 6, torch.Generator().manual_seed(3), **arguments)
        write_png(out_dir / name, family.generate(s.parts, inputs), inputs, s.parts)


def run(report) -> None:
    size, started = SIZES[report.scale], time.perf_counter()
    choice = image_data(digits_resolution=16)
    scorer = Scorer(load_config("dcgan_fashion", choice.overrides).data, choice.extractor, size["n_real"])
    sessions, equal_time = train_both(size, choice, scorer, report)
    sweeps = {name: sweep(s, size, scorer) for name, (s, _) in sessions.items()}
    figure(sweeps, report.out_dir / "truncation.png")
    pictures(sessions["StyleGAN2"][0], report.out_dir)
    write(report, sessions, sweeps, equal_time, size, choice, scorer, time.perf_counter() - started)


def write(report, sessions: dict, sweeps: dict, equal_time: dict, size: dict, choice, scorer: Scorer,
          wall: float) -> None:
    rows = []
    for name, (s, seconds) in sessions.items():
        report.measure(f"{name.lower()}.seconds", seconds)
        report.measure(f"{name.lower()}.steps", s.step)
        for psi, m in sweeps[name].items():
            for key, value in m.items():
                report.measure(f"{name.lower()}.psi{psi:g}.{key}", value)
            rows.append({"model": name, "psi": psi, "FID": m["fid"], "precision": m["precision"],
                         "recall": m["recall"], "s/1000 steps": 1000 * seconds / s.step})
    style, dcgan = sweeps["StyleGAN2"], sweeps["DCGAN"]
    report.claim(f"FID at {size['steps']:,} steps, StyleGAN2 vs DCGAN", f"{style[1.0]['fid']:.1f} vs "
                 f"{dcgan[1.0]['fid']:.1f}", "StyleGAN2 lower (issue 24's target)")
    for key, value in equal_time.items():
        report.measure(f"stylegan2.equal_time.{key}", value)
    report.claim(f"FID at equal time ({equal_time['seconds']:.1f} s of training on this CPU: StyleGAN2 "
                 f"{equal_time['step']:,} steps, DCGAN {sessions['DCGAN'][0].step:,})",
                 f"{equal_time['fid']:.1f} vs {dcgan[1.0]['fid']:.1f}", "no target: reported as measured")
    low = min(size["psis"])
    for name, by in sweeps.items():
        report.claim(f"{name}: precision / recall at psi 1 -> {low:g}",
                     f"{by[1.0]['precision']:.3f} -> {by[low]['precision']:.3f} / {by[1.0]['recall']:.3f} -> "
                     f"{by[low]['recall']:.3f}", "precision up, recall down (Karras et al. 2019)")
    ratio = sessions["StyleGAN2"][1] / sessions["StyleGAN2"][0].step / (sessions["DCGAN"][1] / sessions["DCGAN"][0].step)
    report.measure("time_per_step_ratio", ratio)
    report.measure("dataset", choice.label)
    report.measure("wall_seconds", wall)
    report.text(
        f"Data: **{choice.label}**. Both recipes as they are, {size['steps']:,} G steps each on this machine's "
        f"CPU; a StyleGAN2 step took {ratio:.1f}x a DCGAN step here. Scores: {size['n']:,} samples of the EMA "
        f"copies against the {scorer.n_real:,} test images in the `{choice.extractor}` classifier's features; "
        "precision and recall with k = 3. StyleGAN2 truncates toward its tracked mean w, DCGAN scales z toward "
        "its mean. One seed. At equal time StyleGAN2 is scored (psi 1) at the step where its training time "
        "first reached DCGAN's whole. A CPU is not where StyleGAN2 shines: its papers train on GPUs for days, and "
        "equal time here measures this machine's cost of a modulated convolution as much as the models.")
    report.table(rows)
    report.figure(report.out_dir / "truncation.png", "Precision against recall as psi falls from 1.")
    report.figure(report.out_dir / "style_mixing.png", "Style mixing: each cell takes its row's styles below "
                  "layer 2 (the 7 px ones) and its column's from there on.")
    report.figure(report.out_dir / "walk.png", "A walk in w: one row per sample, 12 frames of a closed loop.")
    report.text(f"Wall time {wall:.0f} s in all.")
