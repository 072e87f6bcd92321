"""Train gankit's domain classifier (the FID/KID/IS/PR feature space) for Fashion-MNIST or the 8x8 digits.

Usage: python scripts/train_classifier.py --dataset fashion_mnist   (or --dataset digits)

Trains on the training split with a fixed seed, evaluates once on the test split,
and writes {name}_classifier.safetensors and {name}_classifier.json atomically
into gankit/metrics/weights/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gankit.atomic import atomic_write  # noqa: E402
from gankit.config import DataConfig  # noqa: E402
from gankit.data import load_dataset, to_float  # noqa: E402
from gankit.metrics.features.classifier import CLASSIFIERS, DomainClassifier, weight_paths  # noqa: E402

# Per-dataset defaults: epochs, batch size, learning rate, max random shift in pixels.
DEFAULTS = {
    "fashion_mnist": {"epochs": 6, "batch_size": 128, "lr": 2e-3, "shift": 2},
    "digits": {"epochs": 60, "batch_size": 64, "lr": 2e-3, "shift": 1},
}


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options; unset ones take the dataset's DEFAULTS."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", required=True, choices=sorted(CLASSIFIERS))
    p.add_argument("--data-path", default=None, help="folder of the IDX files (fashion_mnist only)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--shift", type=int, help="max random shift (pixels) for augmentation; 0 disables")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=None, help="output folder (default gankit/metrics/weights)")
    args = p.parse_args(argv)
    for key, value in DEFAULTS[args.dataset].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def dataset_hash(images: torch.Tensor, labels: torch.Tensor) -> str:
    """SHA-256 of the uint8 images and int64 labels, to pin down the exact data trained on."""
    h = hashlib.sha256(images.contiguous().numpy().tobytes())
    h.update(labels.contiguous().numpy().tobytes())
    return h.hexdigest()


def random_shift(x: torch.Tensor, pad: int, gen: torch.Generator) -> torch.Tensor:
    """Shift each image (B, C, H, W) by up to `pad` pixels each way: pad with background (-1) and crop."""
    if pad == 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad), value=-1.0).permute(0, 2, 3, 1)  # (B, H+2p, W+2p, C)
    dy = torch.randint(0, 2 * pad + 1, (b, 1, 1), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (b, 1, 1), generator=gen)
    rows = dy + torch.arange(h).view(1, h, 1)  # (B, H, 1)
    cols = dx + torch.arange(w).view(1, 1, w)  # (B, 1, W)
    return padded[torch.arange(b).view(b, 1, 1), rows, cols].permute(0, 3, 1, 2).contiguous()  # (B, C, H, W)


@torch.no_grad()
def accuracy(model: DomainClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Top-1 accuracy of the model in eval mode on uint8 images (N, 1, R, R)."""
    model.eval()
    correct = 0
    for start in range(0, len(images), 256):
        logits = model(to_float(images[start:start + 256]))  # (b, 10)
        correct += int((logits.argmax(1) == labels[start:start + 256]).sum())
    return correct / len(images)


def train(model: DomainClassifier, images: torch.Tensor, labels: torch.Tensor, args) -> None:
    """Adam with a cosine learning-rate decay over all steps, random shifts, fixed-seed shuffling."""
    gen = torch.Generator().manual_seed(args.seed)
    steps_per_epoch = math.ceil(len(images) / args.batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps_per_epoch)
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(images), generator=gen)
        total, start_time = 0.0, time.time()
        for start in range(0, len(images), args.batch_size):
            idx = order[start:start + args.batch_size]
            x = random_shift(to_float(images[idx]), args.shift, gen)  # (B, 1, R, R)
            loss = F.cross_entropy(model(x), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        if (epoch + 1) % max(1, args.epochs // 10) == 0 or epoch == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(images):.4f} "
                  f"({time.time() - start_time:.1f} s)", flush=True)


def load_split(args, split: str):
    """The uint8 images and labels of one split of the dataset."""
    ds = load_dataset(DataConfig(name=args.dataset, path=args.data_path, split=split))
    return ds.images, ds.labels


def main(argv=None) -> int:
    """Train, evaluate and write the weights and their JSON record."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train_x, train_y = load_split(args, "train")
    test_x, test_y = load_split(args, "test")
    arch = {"resolution": CLASSIFIERS[args.dataset], "channels": [32, 64, 64], "hidden": 128,
            "num_classes": 10, "dropout": 0.3}
    model = DomainClassifier(**arch)
    began = time.time()
    train(model, train_x, train_y, args)
    seconds = time.time() - began
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    test_acc = accuracy(model, test_x, test_y)
    train_acc = accuracy(model, train_x, train_y)
    out = Path(args.out) if args.out else weight_paths(args.dataset)[0].parent
    name = f"{args.dataset}_classifier"
    blob = save(state, metadata={"format": "pt", "name": name})
    atomic_write(out / f"{name}.safetensors", lambda f: f.write(blob))
    record = {
        "name": name, "arch": arch, "test_accuracy": round(test_acc, 6), "train_accuracy": round(train_acc, 6),
        "command": " ".join(["python", "scripts/train_classifier.py", *(argv if argv is not None else sys.argv[1:])]),
        "seed": args.seed, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "optimizer": "adam, cosine decay to 0", "augmentation": f"random shift up to {args.shift} px",
        "threads": args.threads, "train_seconds": round(seconds, 1), "torch": torch.__version__,
        "dataset": {"name": args.dataset, "train_rows": len(train_x), "test_rows": len(test_x),
                    "train_sha256": dataset_hash(train_x, train_y), "test_sha256": dataset_hash(test_x, test_y)},
    }
    text = json.dumps(record, indent=2) + "\n"
    atomic_write(out / f"{name}.json", lambda f: f.write(text.encode()))
    print(f"{name}: test accuracy {test_acc:.4f}, train accuracy {train_acc:.4f}, {seconds:.0f} s; "
          f"wrote {out / name}.safetensors ({len(blob)} bytes) and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
