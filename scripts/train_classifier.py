"""Train gankit's domain classifier (the FID/KID/IS/PR feature space) for Fashion-MNIST or the 8x8 digits.

Usage: python scripts/train_classifier.py --dataset fashion_mnist   (or --dataset digits)

Trains on the training split with a fixed seed, evaluates once on the test split,
and writes {name}_classifier.safetensors and {name}_classifier.json atomically
into gankit/metrics/weights/.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import save

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gankit.atomic import atomic_write  # noqa: E402
from gankit.config import DataConfig  # noqa: E402
from gankit.data import load_dataset  # noqa: E402
from gankit.metrics.features.classifier import CLASSIFIERS, weight_paths  # noqa: E402
from gankit.metrics.features.training import ARCH, accuracy, dataset_hash, steps_for, train_classifier  # noqa: E402

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


def load_split(args, split: str):
    """The uint8 images and labels of one split of the dataset."""
    ds = load_dataset(DataConfig(name=args.dataset, path=args.data_path, split=split))
    return ds.images, ds.labels


def main(argv=None) -> int:
    """Train, evaluate and write the weights and their JSON record."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    train_x, train_y = load_split(args, "train")
    test_x, test_y = load_split(args, "test")
    arch = {"resolution": CLASSIFIERS[args.dataset], "channels": ARCH["channels"], "hidden": ARCH["hidden"],
            "num_classes": 10, "dropout": ARCH["dropout"]}  # the key order of the shipped records
    began = time.time()
    model = train_classifier(train_x, train_y, steps_for(len(train_x), args.epochs, args.batch_size),
                             args.batch_size, args.lr, args.shift, args.seed, log=lambda line: print(line, flush=True))
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
