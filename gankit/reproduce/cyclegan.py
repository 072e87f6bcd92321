"""Zhu et al. 2017 (CycleGAN): unpaired translation both ways, and the cost of having no pairs.

1. sandal2sneaker (recipe cyclegan_sandal2sneaker): sandals <-> sneakers without
   pairs, scored both ways by the Fashion-MNIST classifier (how often a
   translation is read as the target class, beside the classifier's accuracy on
   real images of that class and on the untranslated inputs), FID against the
   target domain and the cycle reconstruction error each way.
2. The same edges -> garment task with and without pairs: CycleGAN (the
   sandal2sneaker recipe's settings) on edges_unpaired against pix2pix (recipe
   pix2pix_edges2fashion) on edges2fashion, for the same training time, scored
   with class accuracy and L1 / PSNR / SSIM to the true garment: the analogue of
   the paper's Cityscapes comparison (per-pixel accuracy .52 against .71).
"""

from __future__ import annotations

import time

from gankit.reproduce.translation_common import (budget_text, config, evaluate, metric_row, num, pct, record,
                                                 record_environment, sample_grid, train_for, verdict)

TITLE = "Zhu et al. 2017 (CycleGAN): sandal2sneaker both ways, and unpaired against paired edges -> garments"
CYCLEGAN, PIX2PIX = "cyclegan_sandal2sneaker", "pix2pix_edges2fashion"
TARGET = 0.90  # the share of translations the classifier should read as the target class, each way
# The paper's Cityscapes labels -> photo FCN-scores: per-pixel accuracy, per-class accuracy, class IoU.
PAPER = {"CycleGAN": (.52, .17, .11), "pix2pix": (.71, .25, .18)}
WAYS = {"AtoB": "sandal -> sneaker", "BtoA": "sneaker -> sandal"}
# Column label -> key in evaluate_translation's result, for pix2pix and for CycleGAN on edges_unpaired.
EDGE_COLUMNS = {"pix2pix": {"accuracy": "accuracy", "ceiling (real)": "accuracy_real",
                            "floor (edges)": "accuracy_input", "L1": "l1", "PSNR": "psnr", "SSIM": "ssim",
                            "FID": "fid"},
                "CycleGAN": {"accuracy": "accuracy_AtoB", "ceiling (real)": "accuracy_real_AtoB",
                             "floor (edges)": "accuracy_input_AtoB", "L1": "AtoB_l1", "PSNR": "AtoB_psnr",
                             "SSIM": "AtoB_ssim", "FID": "fid_AtoB"}}

# steps: sandal2sneaker's training steps; edge_steps: each edges model's;
# n_eval: test examples scored (of each domain); cycle_sets / pix_sets: overrides of the two recipes.
TINY = ["data.limit=40", "data.resolution=16", "model.width=4", "model.d_layers=1", "train.batch_size=4"]
SIZES = {
    "tiny": {"steps": 3, "edge_steps": 3, "n_eval": 20,
             "cycle_sets": TINY + ["model.g_blocks=1"], "pix_sets": TINY},
    "default": {"steps": 1000, "edge_steps": 1000, "n_eval": 2000, "cycle_sets": [], "pix_sets": []},
    "full": {"steps": 5000, "edge_steps": 5000, "n_eval": 10_000,
             "cycle_sets": ["g_optim.linear_decay=[2500, 5000]", "d_optim.linear_decay=[2500, 5000]"], "pix_sets": []},
}


def train_and_score(report, key: str, cfg, size: dict, budget: str) -> dict:
    """Train one model for the size's budget, score it on the test split and draw its grid; its record."""
    s = train_for(cfg, size, budget)
    scores = evaluate(s, size["n_eval"])
    caption = sample_grid(s, report.out_dir / f"grid_{key}.png")
    record(report, key, s, scores)
    return {"session": s, "scores": scores, "grid": f"grid_{key}.png", "caption": caption}


def run(report) -> None:
    """Train CycleGAN on sandal2sneaker, then CycleGAN (unpaired) and pix2pix (paired) on edges -> garments."""
    size, started = SIZES[report.scale], time.perf_counter()
    shoes = train_and_score(report, "sandal2sneaker", config(CYCLEGAN, size["cycle_sets"]), size, "steps")
    edges = {"CycleGAN": train_and_score(report, "cyclegan_edges",
                                         config(CYCLEGAN, size["cycle_sets"] + ["data.name=edges_unpaired"]),
                                         size, "edge_steps"),
             "pix2pix": train_and_score(report, "pix2pix_edges", config(PIX2PIX, size["pix_sets"]), size,
                                        "edge_steps")}
    record_environment(report, size["n_eval"])
    report.measure("wall_seconds", time.perf_counter() - started)
    write_shoes(report, size, shoes)
    write_edges(report, size, edges)


def decay_text(decay, step: int) -> str:
    """Where a run that stopped at `step` was in the recipe's linear learning-rate decay, in words."""
    if not decay:
        return "The learning rates were constant."
    start, end = decay
    where = ("before the decay began (a constant rate throughout)" if step <= start else
             "after its end" if step >= end else f"{(step - start) / (end - start):.0%} of the way down")
    return f"The recipe decays the learning rates linearly from step {start} to {end}; this run stopped {where}."


def write_shoes(report, size: dict, r: dict) -> None:
    """Claims, the table and the grid of sandal2sneaker both ways."""
    s, m = r["session"], r["scores"]
    rows = []
    for way, words in WAYS.items():
        acc = m.get(f"accuracy_{way}")
        report.claim(f"sandal2sneaker {words}: read as the target class", pct(acc),
                     f">= {TARGET:.0%} (target): {verdict(None if acc is None else acc >= TARGET)}")
        rows.append({"direction": words, "accuracy": acc, "ceiling (real)": m.get(f"accuracy_real_{way}"),
                     "floor (input)": m.get(f"accuracy_input_{way}"), "FID": m.get(f"fid_{way}"),
                     "cycle L1": m.get(f"cycle_{way}")})
    cfg = s.cfg
    report.text(
        "## sandal2sneaker, both ways\n\n"
        f"Recipe `{CYCLEGAN}` as it stands (ResNet Gs of width {cfg.model.width} with {cfg.model.g_blocks} blocks, "
        f"{cfg.model.d_layers}-layer PatchGANs, {cfg.loss.name} loss x {cfg.options.adv_weight:g}, cycle weight "
        f"{cfg.options.cycle_weight:g}, identity {cfg.options.identity_weight:g} x cycle, pool {cfg.options.pool_size}, batch "
        f"{cfg.train.batch_size}, seed {cfg.train.seed}), trained for {budget_text(size)}; it reached **{s.step} "
        f"steps**. {decay_text(cfg.g_optim.linear_decay, s.step)} Scores on the first "
        f"{size['n_eval']:,} test images of each domain: the share of translations the Fashion-MNIST classifier "
        "reads as the target class, beside its accuracy on real images of that class (the ceiling) and on the "
        "untranslated inputs (the floor); FID against the target domain's test images in the classifier's "
        "features; the cycle error, mean |F(G(x)) - x| in [-1, 1] pixels.")
    report.table(rows)
    report.figure(report.out_dir / r["grid"], f"sandal2sneaker: {r['caption']} (test images).")


def gap_text(acc: tuple) -> str:
    """Which of (CycleGAN, pix2pix) class accuracies is ahead, by how many points, and whether that is the paper's
    direction."""
    if None in acc:
        return "the class accuracies could not be measured"
    gap = 100 * (acc[1] - acc[0])
    if gap == 0:
        return "the two are level in class accuracy (the paper's direction: not reproduced)"
    leader = "pix2pix" if gap > 0 else "CycleGAN"
    same = "the paper's direction" if gap > 0 else "the opposite of the paper's direction"
    return f"{leader} is ahead by {abs(gap):.1f} points of class accuracy, {same}"


def write_edges(report, size: dict, runs: dict) -> None:
    """Claims and the table of CycleGAN (no pairs) against pix2pix (pairs) on edges -> garments."""
    cyc, pix = runs["CycleGAN"]["scores"], runs["pix2pix"]["scores"]
    acc = (cyc.get("accuracy_AtoB"), pix.get("accuracy"))
    report.claim("edges -> garment class accuracy, CycleGAN (unpaired) vs pix2pix (paired)",
                 f"{pct(acc[0])} vs {pct(acc[1])}", "pix2pix higher (paper, Cityscapes: .52 vs .71 per-pixel acc.)")
    report.claim("edges -> garment L1 to the true garment, CycleGAN vs pix2pix",
                 f"{num(cyc.get('AtoB_l1'))} vs {num(pix.get('l1'))}", "pix2pix lower (it is trained on pairs)")
    rows = []
    for name, r in runs.items():
        rows.append(metric_row(name, r["session"], r["scores"], EDGE_COLUMNS[name]) |
                    {"pairs": "no" if name == "CycleGAN" else "yes",
                     "paper per-pixel / per-class / IoU": " / ".join(f"{p:.2f}" for p in PAPER[name])})
    report.text(
        "## The same task with and without pairs\n\n"
        f"CycleGAN with the `{CYCLEGAN}` settings on `edges_unpaired` (edge maps of the first half of the training "
        "images, garments of the second half: no edge map meets its garment) against pix2pix (`"
        f"{PIX2PIX}`) on `edges2fashion` (the pairs), each for {budget_text(size, 'edge_steps')}. Both are "
        f"scored on the first {size['n_eval']:,} test edge maps against their true garments. The paper's numbers "
        "are Cityscapes labels -> photo FCN-scores: compare the direction of the gap, not the values.")
    report.table(rows, ["model", "pairs", "steps", "train s", *EDGE_COLUMNS["pix2pix"],
                        "paper per-pixel / per-class / IoU"])
    report.text(f"Observed: {gap_text(acc)} (the paper: pix2pix ahead, .71 against .52 per-pixel accuracy). L1 to "
                f"the true garment: CycleGAN {num(cyc.get('AtoB_l1'))}, pix2pix {num(pix.get('l1'))}; SSIM "
                f"{num(cyc.get('AtoB_ssim'))} against {num(pix.get('ssim'))}.")
    for name, r in runs.items():
        report.figure(report.out_dir / r["grid"], f"{name} on edges: {r['caption']} (test edge maps).")
    report.text(f"Wall time {report.results['wall_seconds']:.0f} s in all. One seed per model; steps reached "
                "depend on the machine's speed.")
