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
from pathlib import Path

import torch

from gankit.reproduce.datasets import ImageData
from style_speed import print_speed, speed  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

ROOT = Path(__file__).resolve().parent.parent
FASHION = ImageData("Fashion-MNIST", [], "fashion_mnist")  # the recipes' own data (fashion_sr has no digits stand-in)
CONTENDERS = {"dcgan_fashion": ("dcgan_fashion", []),
              "srresnet_fashion_x4": ("srresnet_fashion_x4", []),
              "srgan_fashion_x4 (GAN phase)": ("srgan_fashion_x4", ["srgan.pretrain_steps=0", "g_optim.lr_from=null"])}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cpu")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sr_speed.json"))
    args = p.parse_args()
    result = {"device": args.device, "threads": torch.get_num_threads(),
              "eager": speed(args.device, args.steps, args.rounds, False, FASHION, CONTENDERS)}
    if args.device.startswith("cuda"):
        result["compiled"] = speed(args.device, args.steps, args.rounds, True, FASHION, CONTENDERS)
    print_speed(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
