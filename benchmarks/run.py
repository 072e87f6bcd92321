"""Benchmark gankit's recipes side by side: training speed, FLOPs, peak memory and the demo's time.

Each recipe runs in its own subprocess (`--one RECIPE --json`) so its resident peak is its own.
The timed step is gankit.train.session.advance, the loop's own iteration (n_critic D updates, one G
update, the EMA) without logging, pictures or checkpoints, on the recipe's train.device. images/s counts real examples: batch_size * n_critic * steps/s.
FLOPs are what torch.utils.flop_counter counts (matmuls, convolutions) in one step. No thresholds:
the ratios within one run are what to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from eval_speed import eval_seconds  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from gankit.config import load_config
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.errors import GankitError
from gankit.train.device import place_data, synchronize
from gankit.train.session import advance, start_session

RECIPES = ("dcgan_fashion", "wgan_fashion", "wgangp_fashion", "mlp_mnist", "maxout_mnist",
           "ring8_wgangp", "gaussian1d_fig1")
DIGITS_FOR_FASHION = ["data.name=digits", "data.resolution=28"]
WARMUP_STEPS = 3
ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mib() -> float:
    """This process's resident-set peak so far in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


class _NoModuleTracker(contextlib.nullcontext):
    """Stands in for FlopCounterMode's module tracker: every count goes to 'Global'."""

    parents = {"Global"}


class GlobalFlopCounter(FlopCounterMode):
    """FlopCounterMode(display=False) minus module tracking, which breaks autograd.grad (pytorch#131753)."""

    def __init__(self):
        super().__init__(display=False)
        self.mod_tracker = _NoModuleTracker()  # its hooks fail the gradient penalty's double backward


def measure_recipe(recipe: str, overrides: list[str], steps: int) -> dict:
    """Start a recipe's session as `gankit train` does, then time `steps` iterations and count one's FLOPs."""
    rss_after_import = peak_rss_mib()
    cfg = load_config(recipe, overrides)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data)
    data = place_data(data, s.t.device)
    for _ in range(WARMUP_STEPS):
        advance(s, data)
    synchronize(s.t.device)
    start = time.perf_counter()
    for _ in range(steps):
        advance(s, data)
    synchronize(s.t.device)
    seconds = time.perf_counter() - start
    with GlobalFlopCounter() as counter:
        advance(s, data)
    flops = counter.get_total_flops()
    tc = cfg.train
    steps_per_s = steps / seconds
    return {
        "recipe": recipe, "overrides": overrides, "data": cfg.data.name, "shape": list(data.shape),
        "device": str(s.t.device), "batch_size": tc.batch_size, "n_critic": tc.n_critic, "steps": steps,
        "seconds": seconds, "steps_per_s": steps_per_s, "images_per_s": tc.batch_size * tc.n_critic * steps_per_s,
        "flops_per_step": flops, "gflops_per_s": flops * steps_per_s / 1e9,
        "peak_rss_mib": peak_rss_mib(), "rss_after_import_mib": rss_after_import,
    }


def matmul_peak(n: int, warmup: int = 3, reps: int = 10) -> dict:
    """GFLOP/s of torch.mm on two n x n float32 matrices: the median and the best of `reps` runs."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(warmup):
        torch.mm(a, b)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - start)
    flops = 2 * n**3
    return {"n": n, "reps": reps, "gflops_per_s": flops / statistics.median(times) / 1e9,
            "best_gflops_per_s": flops / min(times) / 1e9}


def machine_info() -> dict:
    """Torch version, threads, CPUs and platform of this machine."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "cpu_count": os.cpu_count(),
            "usable_cpus": usable, "platform": platform.platform(), "machine": platform.machine(),
            "python": platform.python_version(), "loadavg_1m_start": os.getloadavg()[0]}


def recipe_overrides(recipe: str, extra: list[str], fashion: bool) -> tuple[list[str], bool]:
    """The --set overrides for a recipe and whether digits stand in for a missing Fashion-MNIST."""
    cfg = load_config(recipe, extra)  # also rejects unknown recipes before anything runs
    substitute = cfg.data.name == "fashion_mnist" and not cfg.data.path and not fashion
    return (DIGITS_FOR_FASHION + extra if substitute else list(extra)), substitute


def run_child(recipe: str, overrides: list[str], steps: int, threads: int) -> dict:
    """Measure one recipe in a fresh Python process and return its JSON result (or an error)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", recipe, "--json", "--steps", str(steps),
           "--threads", str(threads)]
    cmd += [arg for text in overrides for arg in ("--set", text)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"recipe": recipe, "overrides": overrides, "error": f"exit {proc.returncode}: {tail}"}
    return json.loads(lines[-1])


def demo_seconds(recipe: str, threads: int) -> float:
    """Wall-clock seconds of `gankit train RECIPE` into a temporary folder, as `make demo` runs it."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "gankit", "train", recipe, "--out", tmp, "--set", "train.progress=false"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise GankitError(f"the demo `gankit train {recipe}` failed (exit {proc.returncode}): {tail}")
    return seconds


def format_table(report: dict) -> str:
    """The report as a plain-text table, one row per recipe."""
    peak, m = report["matmul_peak"], report["machine"]
    lines = [f"torch {m['torch']}, {m['threads']} threads, {m['cpu_count']} CPUs, {m['platform']}",
             f"load average (1 min) {m['loadavg_1m_start']:.2f} at start, {report['loadavg_1m_end']:.2f} at end "
             "(other processes on these CPUs slow multi-threaded steps unevenly)",
             f"matmul peak ({peak['n']}x{peak['n']} float32 torch.mm, median of {peak['reps']}): "
             f"{peak['gflops_per_s']:.1f} GFLOP/s (best {peak['best_gflops_per_s']:.1f})",
             f"{report['steps']} timed steps after {WARMUP_STEPS} warm-up; images/s = batch * n_critic * steps/s",
             ""]
    head = f"{'recipe':18s}{'steps/s':>9s}{'images/s':>11s}{'MFLOP/step':>12s}{'GFLOP/s':>9s}" \
           f"{'% mm peak':>10s}{'peak RSS MiB':>14s}"
    lines += [head, "-" * len(head)]
    for name, r in report["recipes"].items():
        label = name + ("*" if r.get("substituted") else "")
        if "error" in r:
            lines.append(f"{label:18s} FAILED: {r['error']}")
            continue
        lines.append(f"{label:18s}{r['steps_per_s']:9.2f}{r['images_per_s']:11.1f}"
                     f"{r['flops_per_step'] / 1e6:12.2f}{r['gflops_per_s']:9.2f}"
                     f"{100 * r['share_of_matmul_peak']:9.2f}%{r['peak_rss_mib']:14.1f}")
    if any(r.get("substituted") for r in report["recipes"].values()):
        lines.append(f"* Fashion-MNIST is absent at {FASHION_MNIST_DIR}: ran with --set "
                     + " --set ".join(DIGITS_FOR_FASHION))
    if report.get("demo_seconds") is not None:
        lines.append(f"demo: gankit train {report['demo_recipe']} took {report['demo_seconds']:.1f} s wall clock")
    if report.get("demo_error"):
        lines.append(f"demo FAILED: {report['demo_error']}")
    if report.get("eval_seconds"):
        lines.append(f"eval of 10,000 samples, seconds: {report['eval_seconds']}")
    return "\n".join(lines)


def run_all(args) -> dict:
    """Measure the matmul peak, every chosen recipe (each in a subprocess) and the demo."""
    fashion = Path(FASHION_MNIST_DIR).exists()
    if not fashion:
        print(f"Fashion-MNIST is absent at {FASHION_MNIST_DIR}: the Fashion-MNIST recipes run on "
              f"scikit-learn's digits at 28x28 (--set {' --set '.join(DIGITS_FOR_FASHION)}).", flush=True)
    recipes = [r.strip() for r in args.recipes.split(",") if r.strip()]
    plans = {r: recipe_overrides(r, args.set, fashion) for r in recipes}
    report = {"created": datetime.now().isoformat(timespec="seconds"), "machine": machine_info(),
              "steps": args.steps, "warmup_steps": WARMUP_STEPS, "fashion_mnist": fashion,
              "matmul_peak": matmul_peak(args.matmul_size), "recipes": {}}
    peak = report["matmul_peak"]["gflops_per_s"]
    for recipe, (overrides, substituted) in plans.items():
        print(f"measuring {recipe} ...", file=sys.stderr, flush=True)
        result = run_child(recipe, overrides, args.steps, torch.get_num_threads())
        result["substituted"] = substituted
        if "error" not in result:
            result["share_of_matmul_peak"] = result["gflops_per_s"] / peak
        report["recipes"][recipe] = result
    report["demo_recipe"], report["demo_seconds"] = ("dcgan_fashion" if fashion else "dcgan_digits"), None
    if args.demo:
        print(f"timing the demo (gankit train {report['demo_recipe']}) ...", file=sys.stderr, flush=True)
        try:
            report["demo_seconds"] = demo_seconds(report["demo_recipe"], torch.get_num_threads())
        except GankitError as exc:
            report["demo_error"] = str(exc)
    if args.eval:
        print("timing gankit eval on 10,000 samples ...", file=sys.stderr, flush=True)
        report["eval_seconds"] = eval_seconds()
    report["loadavg_1m_end"] = os.getloadavg()[0]
    return report


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of the benchmark."""
    p = argparse.ArgumentParser(description="Benchmark gankit's recipes side by side.")
    p.add_argument("--recipes", default=",".join(RECIPES), help="comma-separated recipe names")
    p.add_argument("--steps", type=int, default=30, help="timed training steps per recipe (default 30)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="config override applied to every recipe (repeatable)")
    p.add_argument("--eval", action=argparse.BooleanOptionalAction, default=True,
                   help="also time `gankit eval` on 10,000 samples (default: on)")
    p.add_argument("--demo", action=argparse.BooleanOptionalAction, default=True,
                   help="also time the demo, `gankit train dcgan_fashion` (default: on)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's own choice)")
    p.add_argument("--matmul-size", type=int, default=2048, help="n of the n x n matmul peak (default 2048)")
    p.add_argument("--out", type=Path, default=None,
                   help="JSON file (default: benchmarks/results/bench-YYYYmmdd-HHMMSS.json)")
    p.add_argument("--one", metavar="RECIPE", help=argparse.SUPPRESS)  # child mode: one recipe
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.steps < 1 or (args.threads is not None and args.threads < 1):
        p.error("--steps and --threads must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; write the JSON report and print the table."""
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        if args.one:
            result = measure_recipe(args.one, args.set, args.steps)
            print(json.dumps(result, indent=None if args.json else 2))
            return 0
        report = run_all(args)
    except GankitError as exc:
        print(f"benchmark: {exc}", file=sys.stderr)
        return 2
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.out or ROOT / "benchmarks" / "results" / f"bench-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_table(report))
    print(f"results: {out}")
    return 1 if "demo_error" in report or any("error" in r for r in report["recipes"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
