"""Train every recipe for a few steps and print a SHA-256 of its final checkpoint's tensors, one JSON line each.

A refactor that must not change what any recipe learns is checked by running this before and after
it (same machine, same torch) and comparing the outputs: `python scripts/recipe_fingerprints.py > a.jsonl`.
"""

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from safetensors.torch import load_file

import gankit
from gankit.config import list_recipes
from gankit.train import checkpoint as ckpt


def fingerprint(recipe: str, steps: int, out: Path, extra: list[str]) -> str:
    """SHA-256 over the sorted tensors (weights, optimizer states, RNG states) of the final checkpoint."""
    run = gankit.train(recipe, out=out, overrides=[f"train.steps={steps}", f"train.checkpoint_every={steps}",
                                                   "train.progress=false", "train.minutes=null", *extra])
    tensors = load_file(str(ckpt.list_checkpoints(run / "checkpoints")[-1].with_suffix(".safetensors")))
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(tensors[key].contiguous().view(-1).view(dtype=__import__("torch").uint8).numpy().tobytes())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--set", nargs="+", default=[], metavar="KEY=VALUE", help="more overrides, e.g. data.path")
    parser.add_argument("recipes", nargs="*")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for recipe in args.recipes or list(list_recipes()):
            try:
                line = {"recipe": recipe, "sha256": fingerprint(recipe, args.steps, Path(tmp), args.set)}
            except gankit.errors.GankitError as exc:
                line = {"recipe": recipe, "error": str(exc)}
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    sys.exit(main())
