"""`gankit interpolate RUN_A RUN_B --alpha A`: network interpolation (ESRGAN, Wang et al. 2018).

A new run folder whose generator is (1 - A) G_A + A G_B, parameter by parameter (EMA copies likewise), so a
PSNR-oriented model and a GAN fine-tuned from it give every point between them: smooth outputs at 0, the
GAN's detail at 1. The two runs must be of one objective, data shape and generator; the new run is RUN_A's
(config, other networks, probe inputs, step) with the interpolated generator, and it is sampled, evaluated,
exported and reported like any run. Integer tensors (BatchNorm counters) are RUN_A's. Nothing is
overwritten: the new folder is numbered beside RUN_A's (or under --out).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

from gankit.api import read_checkpoint
from gankit.atomic import atomic_write
from gankit.config import dump_config, from_dict
from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt
from gankit.train.run_dir import RUN_NAME, new_run_dir


def _generators(tensors: dict) -> set[str]:
    """The generator networks a checkpoint holds: G and its EMA copy (the families' samplers)."""
    return {key.split(".")[0] for key in tensors if key.split(".")[0] in ("G", "G_ema")}


def check_alpha(alpha) -> float:
    """The interpolation weight, a number from 0 (RUN_A) to 1 (RUN_B)."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        value = math.nan
    if not 0 <= value <= 1:
        raise GankitError(f"--alpha is {alpha}; give a weight from 0 (RUN_A's generator) to 1 (RUN_B's), e.g. 0.8.")
    return value


def mixed_tensors(a: dict, b: dict, alpha: float, names_a: str = "RUN_A", names_b: str = "RUN_B") -> dict:
    """a's tensors with every generator entry (G., G_ema.) replaced by (1 - alpha) a + alpha b."""
    nets_a, nets_b = _generators(a), _generators(b)
    if not nets_a:
        raise GankitError(f"{names_a} holds no generator G; interpolate runs of gankit's GAN families.")
    if nets_a != nets_b:
        raise GankitError(f"{names_a} keeps {', '.join(sorted(nets_a))} and {names_b} {', '.join(sorted(nets_b))}; "
                          "interpolate runs that both kept an EMA copy (train.ema) or neither.")
    out = dict(a)
    for key, value in a.items():
        if key.split(".")[0] not in nets_a:
            continue
        other = b.get(key)
        if other is None or other.shape != value.shape:
            raise GankitError(f"{names_a} and {names_b} have different generators ({key} differs); interpolate runs "
                              "of one model config (a GAN fine-tuned from a PSNR run, model.init_from).")
        if value.is_floating_point():
            out[key] = torch.lerp(value.double(), other.double(), alpha).to(value.dtype).contiguous()
    return out


def _same_task(meta_a: dict, meta_b: dict, names: tuple[str, str]) -> None:
    objective = [m["config"].get("objective", "gan") for m in (meta_a, meta_b)]
    if objective[0] != objective[1]:
        raise GankitError(f"{names[0]} is an objective={objective[0]} run and {names[1]} objective={objective[1]}; "
                          "interpolate two runs of one task.")
    if meta_a.get("spec") != meta_b.get("spec"):
        raise GankitError(f"{names[0]} and {names[1]} were trained on data of other shapes or classes; interpolate "
                          "two runs of one task.")


def interpolate_runs(run_a: str | Path, run_b: str | Path, alpha, out: str | Path | None = None,
                     checkpoint: str = "latest") -> Path:
    """Write the run of generator (1 - alpha) G_a + alpha G_b (see the module); its folder."""
    alpha = check_alpha(alpha)
    run_a, run_b = Path(run_a).expanduser(), Path(run_b).expanduser()
    (tensors_a, meta_a, _), (tensors_b, meta_b, _) = (read_checkpoint(run, checkpoint) for run in (run_a, run_b))
    for run, meta in ((run_a, meta_a), (run_b, meta_b)):
        if not isinstance(meta.get("config"), dict):
            raise GankitError(f"{run} keeps no config in its checkpoint; interpolate runs `gankit train` wrote.")
    _same_task(meta_a, meta_b, (str(run_a), str(run_b)))
    tensors = mixed_tensors(tensors_a, tensors_b, alpha, str(run_a), str(run_b))
    match = RUN_NAME.match(run_a.name)
    folder = new_run_dir(Path(out).expanduser() if out else run_a.parent,
                         f"{match.group(2) if match else run_a.name}-interp-{alpha:g}")
    config = dict(meta_a["config"])
    config["description"] = (f"{(1 - alpha):g} x {run_a.name} + {alpha:g} x {run_b.name} (network interpolation); "
                             f"{config.get('description') or ''}").rstrip("; ")
    meta = {k: v for k, v in meta_a.items() if k not in ("format", "step", "tensors")}
    meta |= {"config": config, "interpolation": {"run_a": str(run_a), "run_b": str(run_b), "alpha": alpha,
                                                 "step_a": meta_a["step"], "step_b": meta_b["step"]}}
    atomic_write(folder / "config.yaml",
                 lambda f: f.write(dump_config(from_dict(config, note_renames=False)).encode()))
    atomic_write(folder / "interpolation.json",
                 lambda f: f.write(json.dumps(meta["interpolation"], indent=1).encode()))
    ckpt.save_checkpoint(folder / "checkpoints", meta_a["step"], tensors, meta)
    return folder
