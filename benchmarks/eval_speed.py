"""How long `gankit eval` takes on 10,000 samples: cold (reference features computed) and warm (cached)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import torch

from gankit.config import DataConfig
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.evaluation import score


def eval_seconds(n: int = 10000, metrics: tuple[str, ...] = ("fid,kid,is,pr,dc", "parzen")) -> dict:
    """Seconds to score n images (training images stand in for samples) with each metric group."""
    name = "fashion_mnist" if Path(FASHION_MNIST_DIR).exists() else "digits"
    data_cfg = DataConfig(name=name)
    fake = load_dataset(DataConfig(name=name, split="train")).as_float()[:n]  # (n, C, H, W)
    out = {"dataset": name, "n": len(fake)}
    old = os.environ.get("GANKIT_CACHE")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["GANKIT_CACHE"] = cache
        try:
            for group in metrics:
                for state in ("cold", "warm") if group != "parzen" else ("run",):
                    started = time.perf_counter()
                    score(fake, data_cfg, group)
                    out[f"{group}:{state}"] = round(time.perf_counter() - started, 2)
        finally:
            if old is None:
                os.environ.pop("GANKIT_CACHE", None)
            else:
                os.environ["GANKIT_CACHE"] = old
    return out


if __name__ == "__main__":
    torch.set_num_threads(int(os.environ.get("GANKIT_BENCH_THREADS", torch.get_num_threads())))
    print(eval_seconds())
