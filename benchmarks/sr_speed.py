"""Super-resolution's training speed beside dcgan_fashion: images/s side by side, eager and (on a GPU) compiled.

Contenders: dcgan_fashion (the reference, 28 px samples), srresnet_fashion_x4 (the PSNR model: G alone, pixel
loss) and srgan_fashion_x4 in its GAN phase (D's update, the classifier's feature loss and the relativistic
GAN; srgan.pretrain_steps=0), in alternating rounds; images/s counts 28 px images a step makes
(batch_size x n_critic). Usage: python benchmarks/sr_speed.py [--device cpu|cuda] [--steps 20] [--rounds 2]
[--out FILE]. No thresholds: the ratios within one run are what to compare.
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
from gankit.train.device import place_data, synchronize
from gankit.train.session import advance, start_session

ROOT = Path(__file__).resolve().parent.parent
CONTENDERS = {"dcgan_fashion": ("dcgan_fashion", []),
              "srresnet_fashion_x4": ("srresnet_fashion_x4", []),
              "srgan_fashion_x4 (GAN phase)": ("srgan_fashion_x4", ["srgan.pretrain_steps=0", "g_optim.lr_from=null"])}


def session(recipe: str, sets: list[str], device: str, compile_: bool):
    cfg = load_config(recipe, sets + [f"train.device={device}", "train.progress=false",
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


def speed(device: str, steps: int, rounds: int, compile_: bool) -> dict:
    sessions = {name: session(recipe, sets, device, compile_) for name, (recipe, sets) in CONTENDERS.items()}
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sr_speed.json"))
    args = p.parse_args()
    result = {"device": args.device, "threads": torch.get_num_threads(),
              "eager": speed(args.device, args.steps, args.rounds, False)}
    if args.device.startswith("cuda"):
        result["compiled"] = speed(args.device, args.steps, args.rounds, True)
    for table in ("eager", "compiled"):
        for name, row in result.get(table, {}).items():
            print(f"{table:8s} {name:30s} {row['images_per_s']:9.0f} img/s  {row['ratio_to_dcgan']:.2f}x dcgan_fashion "
                  f"({row['speedup'] or 'eager'})")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
