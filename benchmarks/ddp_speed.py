"""Data-parallel training on the CPU: steps/s of one recipe in 1 process and in 2 processes under torchrun
(gloo), side by side, and the gradient all-reduce's share of a 2-process step.

On a 2-core machine no gain is expected (1 process already uses both cores through 2 threads; 2 processes
get 1 thread each and add the all-reduce): the point is that the path works and what it costs. Rounds
alternate the two, the ratio is the median of each round's own. Usage: python benchmarks/ddp_speed.py
[--recipe dcgan_fashion] [--steps 60] [--rounds 2]; the worker mode (--worker) is what torchrun runs.
`--device cuda` races one plain process against torchrun with one process on the GPU (NCCL): the GPU path
proven on a one-GPU machine, and what the process group costs there (both eager: under torchrun a GPU step
is never one CUDA graph).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def worker(recipe: str, steps: int, out: Path, device: str) -> None:
    """Train `steps` timed steps (after 5 untimed) in this process of the torchrun world; rank 0 writes JSON."""
    import torch

    from gankit.config import load_config
    from gankit.data import load_dataset
    from gankit.train import context
    from gankit.train.device import place_data, synchronize
    from gankit.train.distributed import start, stop, world_from_env
    from gankit.train.session import advance, start_session

    world = world_from_env()
    start(world, 600)
    reduce_seconds = [0.0]
    average = context.average_gradients

    def timed(params, w):
        started = time.perf_counter()
        average(params, w)
        reduce_seconds[0] += time.perf_counter() - started

    context.average_gradients = timed
    cfg = load_config(recipe, ["train.progress=false", f"train.device={device}", "train.compile=false"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, device, world)
    data = place_data(data, s.t.device)
    for _ in range(5):
        advance(s, data)
    synchronize(s.t.device)
    reduce_seconds[0] = 0.0
    started = time.perf_counter()
    for _ in range(steps):
        advance(s, data)
    synchronize(s.t.device)
    seconds = time.perf_counter() - started
    if world.main:
        out.write_text(json.dumps({"processes": world.size, "torchrun": world.active, "device": str(s.t.device),
                                   "threads": torch.get_num_threads(), "steps": steps, "seconds": seconds,
                                   "images_per_s": steps * cfg.train.batch_size * cfg.train.n_critic / seconds,
                                   "allreduce_seconds": reduce_seconds[0]}))
    stop()


def launch(recipe: str, steps: int, processes: int, out: Path, device: str = "cpu") -> dict:
    """One timed run: a plain process (processes 0; 2 threads on the CPU) or torchrun with `processes`
    processes (1 thread each on the CPU)."""
    me = [str(Path(__file__).resolve()), "--worker", "--recipe", recipe, "--steps", str(steps), "--out", str(out),
          "--device", device]
    if not processes:
        command = [sys.executable, *me]
        env = os.environ | {"OMP_NUM_THREADS": "2"}
    else:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}", *me]
        env = os.environ | {"OMP_NUM_THREADS": "1"}
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:  # the worker's own error, not only launch's exit status
        raise SystemExit(f"{' '.join(command)} exited with {done.returncode}:\n"
                         f"{done.stdout[-4000:]}{done.stderr[-4000:]}")
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipe", default="dcgan_fashion")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.out = args.out or ROOT / "benchmarks" / "results" / f"ddp_speed_{args.device}.json"
    if args.worker:
        return worker(args.recipe, args.steps, args.out, args.device)
    scratch = args.out.with_suffix(".run.json")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # the reference (a plain process) against torchrun: 2 processes on the CPU, 1 on a one-GPU machine
    runs_of = {"plain": 0, "torchrun": 2 if args.device == "cpu" else 1}
    rounds = []
    for r in range(args.rounds):
        order = ("plain", "torchrun") if r % 2 == 0 else ("torchrun", "plain")
        rounds.append({name: launch(args.recipe, args.steps, runs_of[name], scratch, args.device) for name in order})
    scratch.unlink(missing_ok=True)
    rate = {n: statistics.median(r[n]["steps"] / r[n]["seconds"] for r in rounds) for n in runs_of}
    ratio = statistics.median((r["torchrun"]["steps"] / r["torchrun"]["seconds"]) /
                              (r["plain"]["steps"] / r["plain"]["seconds"]) for r in rounds)
    share = statistics.median(r["torchrun"]["allreduce_seconds"] / r["torchrun"]["seconds"] for r in rounds)
    images = {n: statistics.median(r[n]["images_per_s"] for r in rounds) for n in runs_of}
    result = {"recipe": args.recipe, "device": args.device, "torchrun_processes": runs_of["torchrun"],
              "steps_per_s": rate, "images_per_s": images, "ratio_torchrun_to_plain": ratio,
              "allreduce_share_torchrun": share, "rounds": rounds}
    args.out.write_text(json.dumps(result, indent=1))
    plain = "1 process x 2 threads" if args.device == "cpu" else "1 plain process"
    print(f"{args.recipe} on {args.device}: {plain} {rate['plain']:.2f} steps/s ({images['plain']:,.0f} img/s); "
          f"torchrun with {runs_of['torchrun']} process(es) {rate['torchrun']:.2f} steps/s "
          f"({images['torchrun']:,.0f} img/s, {ratio:.2f}x); the gradient all-reduce {100 * share:.1f}% of its step")


if __name__ == "__main__":
    main()
