"""gankit against a plain hand-written DCGAN loop, side by side in one process: speed, then quality.

Speed: the plain loop (benchmarks/plain_dcgan.py) and gankit's own iteration
(gankit.train.session.advance) on the same networks, batch and optimiser,
timed in interleaved rounds (plain, gankit, plain, gankit, ...) so that both
see the same machine; the median of the rounds is reported, and the ratio.
Quality: each trained for the same training time, in interleaved slices, then
the domain-classifier FID of 10,000 samples against the 10,000 test images:
the plain loop, `dcgan_fashion` as it is, and `dcgan_fashion` with gankit
0.1's settings (its EMA copy samples, as `gankit sample` does).

    python benchmarks/engine_race.py [--device cpu|cuda] [--minutes 5] [--no-quality] [--compile]
    python benchmarks/engine_race.py --no-speed --variant DiffAugment=train.augment=diffaug --variant bCR=loss.bcr_weight=10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

import torch

from gankit.config import DataConfig, load_config
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.evaluation import score
from gankit.reproduce.datasets import DCGAN_PAPER
from gankit.train.device import place_data, resolve_device, synchronize
from gankit.train.session import advance, settle_sampler, start_session
from plain_dcgan import PlainDCGAN

ROOT = Path(__file__).resolve().parent.parent


def same_as_plain(width: int, z_dim: int, batch: int) -> list[str]:
    """Overrides that make `dcgan_fashion` train exactly what the plain loop trains (no EMA; G reuses the fakes)."""
    return [f"model.width={width}", "model.g_width=0", "model.d_width=0", f"model.z_dim={z_dim}",
            "model.z_dist=normal", "model.d_norm=batch", "model.spectral_norm=false", "loss.name=nonsaturating",
            "loss.penalty=none", f"train.batch_size={batch}", "train.n_critic=1", "train.ema=0",
            "train.reuse_fakes=true", "train.precision=fp32",
            "g_optim.lr=2e-4", "d_optim.lr=2e-4", "g_optim.betas=[0.5, 0.999]", "d_optim.betas=[0.5, 0.999]"]


# dcgan_fashion as gankit 0.1 shipped it (before this engine's tuning): the DCGAN paper's settings (non-saturating
# loss, Adam 2e-4 / 0.5, fresh noise for G, one width, fp32) at width 32, z 64, batch 64, EMA 0.99.
V01_RECIPE = ["model.width=32", "model.z_dim=64", "train.batch_size=64", "train.ema=0.99"] + DCGAN_PAPER


def data_config() -> tuple[DataConfig, list[str]]:
    """Fashion-MNIST when installed, else the 8x8 digits upscaled to 28x28 (said in the report)."""
    if Path(FASHION_MNIST_DIR).exists():
        return DataConfig(name="fashion_mnist"), []
    return DataConfig(name="digits", resolution=28), ["data.name=digits", "data.resolution=28"]


def contenders(args, device: torch.device, data_overrides: list[str]) -> dict:
    """name -> (step function, images per step): the plain loop and gankit's sessions."""
    data = load_dataset(data_config()[0])
    plain = PlainDCGAN(data.images, args.width, args.z_dim, args.batch, device)
    out = {"plain loop": (plain.step, args.batch)}
    same = same_as_plain(args.width, args.z_dim, args.batch) + data_overrides + [f"train.device={device}"]
    variants = {"gankit, same networks": same,
                "gankit, same, fresh noise for G": same + ["train.reuse_fakes=false"]}
    if args.compile and device.type == "cuda":
        for mode in args.compile_modes.split(","):
            label = "one CUDA graph" if mode == "cudagraph" else f"torch.compile {mode}"
            variants[f"gankit, same, {label}"] = same + ["train.compile=true", f"train.compile_mode={mode}"]
    elif args.compile:
        variants["gankit, same networks, compiled"] = same + ["train.compile=true"]
    recipe = data_overrides + [f"train.device={device}", f"train.batch_size={args.batch}"]
    variants["gankit dcgan_fashion recipe"] = recipe
    if args.compile:
        variants["gankit dcgan_fashion recipe, compiled"] = recipe + ["train.compile=true"]
    for name, overrides in variants.items():
        try:
            cfg = load_config("dcgan_fashion", overrides)
            s = start_session(cfg, data)
        except Exception as exc:  # a one-shot GPU run reports the others all the same
            out[name] = exc
            continue
        placed = place_data(data, s.t.device)
        out[name] = ((lambda s=s, placed=placed: advance(s, placed)), cfg.train.batch_size * cfg.train.n_critic)
    return out


def _error(exc: Exception) -> dict:
    return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}


def race_speed(args, device: torch.device, data_overrides: list[str]) -> dict:
    """Median steps/s and images/s of each contender over interleaved rounds; a contender that fails says why."""
    runners, failed = {}, {}
    for name, contender in contenders(args, device, data_overrides).items():
        if isinstance(contender, Exception):
            failed[name] = _error(contender)
            continue
        step, images = contender
        try:  # warm-up: allocations, cuDNN autotuning, compilation
            for _ in range(args.warmup):
                step()
            synchronize(device)
            runners[name] = (step, images)
        except Exception as exc:  # a one-shot GPU run reports the others all the same
            failed[name] = _error(exc)
    times: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    for round_ in range(args.rounds):
        # Odd rounds run in reverse (plain, A, B, B, A, plain, ...), so a machine that speeds up or slows
        # down over a round favours no contender.
        for name in order if round_ % 2 == 0 else order[::-1]:
            step = runners[name][0]
            synchronize(device)
            start = time.perf_counter()
            for _ in range(args.steps):
                step()
            synchronize(device)
            times[name].append(args.steps / (time.perf_counter() - start))
    plain = times["plain loop"]
    # The ratio is the median of each round's own ratio: the plain loop and the contender measured minutes
    # apart would compare two different machines when the load changes.
    speed = {name: {"steps_per_s": statistics.median(v), "images_per_s": statistics.median(v) * runners[name][1],
                    "ratio_to_plain": statistics.median(r / p for r, p in zip(v, plain)), "rounds": v}
             for name, v in times.items()}
    return speed | failed


class GankitRunner:
    """A recipe's session stepped by the loop's own iteration; samples through its family (EMA copy when kept)."""

    def __init__(self, overrides: list[str], data, device: torch.device):
        cfg = load_config("dcgan_fashion", overrides + [f"train.device={device}"])
        self.session = start_session(cfg, data)
        self.data = place_data(data, self.session.t.device)

    def step(self) -> None:
        advance(self.session, self.data)

    def sample(self, n: int) -> torch.Tensor:
        s = self.session
        settle_sampler(s)  # as the training loop does before it draws or saves samples
        return s.family.generate(s.parts, s.family.inputs(s.parts, n, torch.Generator().manual_seed(0)))


def variant(text: str) -> tuple[str, list[str]]:
    """'NAME=KEY=VALUE[,KEY=VALUE]' -> (NAME, [KEY=VALUE, ...])."""
    name, sep, overrides = text.partition("=")
    if not sep or "=" not in overrides:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=KEY=VALUE[,KEY=VALUE]; e.g. bCR=loss.bcr_weight=10")
    return name, overrides.split(",")


def race_quality(args, device: torch.device, data_cfg: DataConfig, data_overrides: list[str]) -> dict:
    """FID after the same training time each: the plain loop, dcgan_fashion, and gankit 0.1's dcgan_fashion (or, with
    --variant, dcgan_fashion and its variants).

    Training is interleaved in slices (each contender trains a slice, then the next), so that a machine
    that slows down for a while slows every contender alike; each gets args.minutes of training in all.
    """
    budget = 60 * args.minutes
    data = load_dataset(data_cfg)
    fast = ["train.compile=true"] if args.compile else []  # one CUDA graph per step on a GPU
    if args.variant:  # dcgan_fashion against itself with some keys changed (e.g. augmentation, bCR)
        runners = {"gankit dcgan_fashion": GankitRunner(data_overrides + fast, data, device)}
        for name, overrides in args.variant:
            runners[f"dcgan_fashion, {name}"] = GankitRunner(data_overrides + fast + overrides, data, device)
    else:
        runners = {"plain loop": PlainDCGAN(data.images, args.width, args.z_dim, args.batch, device),
                   "gankit dcgan_fashion": GankitRunner(data_overrides + fast, data, device),
                   "gankit 0.1 dcgan_fashion": GankitRunner(V01_RECIPE + data_overrides, data, device)}
    spent, steps = dict.fromkeys(runners, 0.0), dict.fromkeys(runners, 0)
    while any(spent[name] < budget for name in runners):
        for name, runner in runners.items():
            end = time.perf_counter() + min(args.slice, budget - spent[name])
            start = time.perf_counter()
            while time.perf_counter() < end:
                for _ in range(args.sync_every):
                    runner.step()
                synchronize(device)
                steps[name] += args.sync_every
            spent[name] += time.perf_counter() - start
    return {name: {"steps": steps[name], "seconds": spent[name],
                   **score(runner.sample(args.samples), data_cfg, "fid,kid", device=str(device))}
            for name, runner in runners.items()}


def format_report(report: dict) -> str:
    """Both tables as text."""
    lines = [f"device {report['device']}, torch {report['torch']}, {report['threads']} threads, "
             f"batch {report['batch']}, width {report['width']}, z {report['z_dim']}, data {report['data']}"]
    if "speed" in report:
        lines += ["", f"{'speed (median of rounds)':38s}{'steps/s':>10s}{'images/s':>11s}{'x plain':>9s}"]
        for name, r in report["speed"].items():
            if "error" in r:
                lines.append(f"{name:38s} FAILED: {r['error']}")
                continue
            lines.append(f"{name:38s}{r['steps_per_s']:10.1f}{r['images_per_s']:11.0f}{r['ratio_to_plain']:9.2f}")
        lines.append("x plain: the median of each round's ratio; rounds alternate their order")
    if "quality" in report:
        n = report.get("samples", 10000)  # reports written before --samples existed used 10,000
        lines += ["", f"quality after {report['minutes']:g} min of training: FID / KID x 1000 on {n:,} samples "
                  "(domain classifier) vs the test set",
                  f"{'':38s}{'steps':>8s}{'FID':>9s}{'KID':>9s}"]
        for name, r in report["quality"].items():
            lines.append(f"{name:38s}{r['steps']:8d}{r['fid']:9.2f}{r['kid']:9.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the race and write its JSON report."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--width", type=int, default=32)
    p.add_argument("--z-dim", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=40, help="steps per timed round")
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--compile", action="store_true",
                   help="also time gankit with train.compile=true (on a GPU: one CUDA graph, and torch.compile), "
                        "and race today's recipe with it")
    p.add_argument("--compile-modes", default="cudagraph,default",
                   help="train.compile_mode values timed with --compile on a GPU")
    p.add_argument("--minutes", type=float, default=5.0, help="training time of each quality contender")
    p.add_argument("--samples", type=int, default=10000, help="samples each contender's FID and KID are computed from")
    p.add_argument("--slice", type=float, default=10.0, help="seconds each contender trains before the next's turn")
    p.add_argument("--sync-every", type=int, default=5, help="steps between clock reads (a device sync on a GPU)")
    p.add_argument("--speed", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--quality", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--variant", type=variant, action="append", default=[], metavar="NAME=KEY=VALUE[,KEY=VALUE]",
                   help="race dcgan_fashion against itself with these keys changed (repeatable), instead of the "
                        "plain loop and gankit 0.1, e.g. --variant bCR=loss.bcr_weight=10")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    device = resolve_device(args.device)
    data_cfg, data_overrides = data_config()
    report = {"created": datetime.now().isoformat(timespec="seconds"), "device": str(device),
              "device_name": torch.cuda.get_device_name(device) if device.type == "cuda" else os.uname().machine,
              "torch": torch.__version__, "threads": torch.get_num_threads(), "batch": args.batch,
              "width": args.width, "z_dim": args.z_dim, "data": data_cfg.name, "minutes": args.minutes,
              "samples": args.samples}
    if args.speed:
        report["speed"] = race_speed(args, device, data_overrides)
    if args.quality:
        report["quality"] = race_quality(args, device, data_cfg, data_overrides)
    out = args.out or ROOT / "benchmarks" / "results" / f"race-{device.type}-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(format_report(report))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
