"""StyleGAN2 beside DCGAN, and what augmentation costs: images/s side by side, then FID at equal training time.

Speed: dcgan_fashion without augmentation, with DiffAugment and with ADA, and stylegan2_fashion as it is (with
DiffAugment), without augmentation and with ADA, eager (and with train.compile on a GPU), in alternating
rounds; ratios against dcgan_fashion measured in the same run. Quality (--seconds S > 0): dcgan_fashion and
stylegan2_fashion, each as its recipe is, trained S seconds of training time in alternating slices, then FID of
5,000 (--samples) EMA samples against the test split in the domain classifier's features. Usage: python
benchmarks/style_speed.py [--device cpu|cuda] [--steps 20] [--rounds 2] [--seconds 0] [--out FILE]. No
thresholds: the ratios within one run are what to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import torch

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.objectives import sample_z
from gankit.reproduce.datasets import ImageData, image_data
from gankit.reproduce.dcgan_vs_mlp import Scorer
from gankit.train.device import place_data, synchronize
from gankit.train.session import advance, settle_sampler, start_session

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = {"dcgan_fashion": ("dcgan_fashion", []), "dcgan_fashion + diffaug": ("dcgan_fashion", ["train.augment=diffaug"]),
              "dcgan_fashion + ada": ("dcgan_fashion", ["train.augment=ada"]),
              "stylegan2_fashion (diffaug)": ("stylegan2_fashion", []),
              "stylegan2_fashion, no augmentation": ("stylegan2_fashion", ["train.augment=none"]),
              "stylegan2_fashion + ada": ("stylegan2_fashion", ["train.augment=ada"])}

QUALITY = ("dcgan_fashion", "stylegan2_fashion")  # each recipe as it is, for FID at equal time

DIGITS = ImageData("the 8x8 digits", ["data.name=digits"], "digits")  # --digits: for tests


def session(recipe: str, sets: list[str], device: str, compile_: bool, choice: ImageData):
    cfg = load_config(recipe, choice.overrides + sets + [f"train.device={device}", "train.progress=false",
                                                              f"train.compile={str(compile_).lower()}"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, device)
    return s, place_data(data, s.t.device)


def images_per_s(s, data, steps: int) -> float:
    synchronize(s.t.device)
    started = time.perf_counter()
    for _ in range(steps):
        advance(s, data)
    synchronize(s.t.device)
    return steps * s.cfg.train.batch_size * s.cfg.train.n_critic / (time.perf_counter() - started)


def speed(device: str, steps: int, rounds: int, compile_: bool, choice: ImageData, contenders: dict = CONTENDERS) -> dict:
    """name -> images/s (median over rounds), its ratio to dcgan_fashion's and the speed-up used, for contenders
    {name: (recipe, overrides)} trained in alternating rounds after a warm-up."""
    sessions = {name: session(recipe, sets, device, compile_, choice) for name, (recipe, sets) in contenders.items()}
    for s, data in sessions.values():  # warm-up (and a CUDA graph's capture)
        for _ in range(3):
            advance(s, data)
    measured = {name: [] for name in sessions}
    for _ in range(rounds):
        for name, (s, data) in sessions.items():
            measured[name].append(images_per_s(s, data, steps))
    base = statistics.median(measured["dcgan_fashion"])
    return {name: {"images_per_s": statistics.median(v), "ratio_to_dcgan": statistics.median(v) / base,
                   "speedup": sessions[name][0].speedup} for name, v in measured.items()}


def print_speed(result: dict) -> None:
    """The eager and compiled tables, one contender a line."""
    for table in ("eager", "compiled"):
        for name, row in result.get(table, {}).items():
            print(f"{table:8s} {name:34s} {row['images_per_s']:9.0f} img/s  {row['ratio_to_dcgan']:.2f}x dcgan_fashion "
                  f"({row['speedup'] or 'eager'})")


def quality(device: str, seconds: float, samples: int, choice: ImageData, slice_s: float = 5.0) -> dict:
    scorer = Scorer(load_config("dcgan_fashion", choice.overrides).data, choice.extractor)
    runs = {recipe: session(recipe, [], device, False, choice) + (0.0,) for recipe in QUALITY}
    while any(spent < seconds for _, _, spent in runs.values()):
        for name, (s, data, spent) in runs.items():
            end = min(seconds, spent + slice_s)
            while spent < end:
                synchronize(s.t.device)
                started = time.perf_counter()
                advance(s, data)
                synchronize(s.t.device)
                spent += time.perf_counter() - started
            runs[name] = (s, data, spent)
    out = {}
    for name, (s, _, spent) in runs.items():
        settle_sampler(s)
        m = s.cfg.model
        z = sample_z(samples, m.z_dim, m.z_dist, torch.Generator().manual_seed(8))
        out[name] = {"seconds": spent, "steps": s.step, "fid": scorer.fid(s.parts.sampling_net(), z)}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seconds", type=float, default=0.0)
    p.add_argument("--samples", type=int, default=5000, help="EMA samples scored after --seconds")
    p.add_argument("--digits", action="store_true", help="the 8x8 digits instead of Fashion-MNIST (tests)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "style_speed.json"))
    args = p.parse_args()
    choice = DIGITS if args.digits else image_data()
    result = {"device": args.device, "threads": torch.get_num_threads(),
              "data": choice.label,
              "eager": speed(args.device, args.steps, args.rounds, False, choice)}
    if args.device.startswith("cuda"):
        result["compiled"] = speed(args.device, args.steps, args.rounds, True, choice)
    if args.seconds > 0:
        result["quality"] = quality(args.device, args.seconds, args.samples, choice)
    print_speed(result)
    for name, row in result.get("quality", {}).items():
        print(f"quality  {name:26s} FID {row['fid']:.1f} after {row['seconds']:.0f} s ({row['steps']} steps)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
