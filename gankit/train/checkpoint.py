"""Checkpoints: safetensors for every tensor, JSON for everything else.

Nothing is pickled and nothing is unpickled. Each file is written to a
temporary name and renamed, and the JSON is written last, so a checkpoint
exists only once both halves are complete.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.errors import GankitError

FORMAT = "gankit-checkpoint-v1"
NAME = re.compile(r"^ckpt-(\d{6,})\.json$")


def optimizer_to_flat(prefix: str, opt: torch.optim.Optimizer, tensors: dict) -> dict:
    """Move an optimizer's tensors into `tensors`; return the JSON-ready rest."""
    sd = opt.state_dict()
    scalars = {}
    for pid, state in sd["state"].items():
        for key, value in state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{prefix}.state.{pid}.{key}"] = value.detach().clone().contiguous()
            else:
                scalars.setdefault(str(pid), {})[key] = value
    return {"param_groups": sd["param_groups"], "scalars": scalars}


def optimizer_from_flat(prefix: str, meta: dict, tensors: dict) -> dict:
    """Rebuild an optimizer state_dict from the JSON part and the tensors."""
    state: dict = {int(pid): dict(values) for pid, values in meta["scalars"].items()}
    head = f"{prefix}.state."
    for name, value in tensors.items():
        if name.startswith(head):
            pid, key = name[len(head):].split(".", 1)
            state.setdefault(int(pid), {})[key] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def module_tensors(prefix: str, module: torch.nn.Module, tensors: dict) -> None:
    """Copy a module's state_dict into `tensors` under `prefix.`."""
    for key, value in module.state_dict().items():
        tensors[f"{prefix}.{key}"] = value.detach().clone().contiguous()


def sub_state(prefix: str, tensors: dict) -> dict:
    """The entries of `tensors` under `prefix.`, with the prefix removed."""
    head = prefix + "."
    return {k[len(head):]: v for k, v in tensors.items() if k.startswith(head)}


def save_checkpoint(folder: Path, step: int, tensors: dict, meta: dict, stem: str | None = None) -> Path:
    """Write the tensors, then STEM.json naming them (STEM defaults to ckpt-STEP) into folder; the JSON path.

    A named checkpoint that is replaced (best) gets its tensors under a new name each time
    (STEM-STEP.safetensors): the JSON, renamed into place last, switches from the old pair to the new
    one at once, so a crash never pairs new tensors with old metadata. The old tensors go afterwards.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tensor_name = f"ckpt-{step:06d}.safetensors" if stem is None else f"{stem}-{step:06d}.safetensors"
    stem = stem or f"ckpt-{step:06d}"
    atomic_write(folder / tensor_name, lambda f: f.write(save(tensors)))
    body = dict(meta, format=FORMAT, step=step, tensors=tensor_name)
    atomic_write(folder / f"{stem}.json", lambda f: f.write(json.dumps(body, indent=1).encode()))
    if not stem.startswith("ckpt-"):
        for old in folder.glob(f"{stem}*.safetensors"):
            if old.name != tensor_name:
                old.unlink(missing_ok=True)
    return folder / f"{stem}.json"


def load_newest_good(folder: Path) -> tuple[dict, dict, Path, list[str]]:
    """The newest checkpoint that loads: (tensors, meta, its JSON path, what was wrong with newer ones)."""
    found = list_checkpoints(folder)
    skipped: list[str] = []
    for path in reversed(found):
        try:
            tensors, meta = load_checkpoint(path)
            return tensors, meta, path, skipped
        except GankitError as exc:
            skipped.append(f"{path.name} ({exc})")
    raise GankitError(f"no checkpoint in {folder} loads: {'; '.join(skipped)}")


def list_checkpoints(folder: Path) -> list[Path]:
    """Complete checkpoints (JSON present) in step order."""
    if not folder.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in folder.iterdir() if (m := NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def load_checkpoint(json_path: Path) -> tuple[dict, dict]:
    """Read one checkpoint: (tensors, meta); a damaged one is a GankitError."""
    try:
        meta = json.loads(Path(json_path).read_text())
    except (OSError, json.JSONDecodeError):
        raise GankitError(f"checkpoint {json_path} is unreadable or damaged; delete it to fall back to an earlier one.") from None
    if not isinstance(meta, dict):
        raise GankitError(f"checkpoint {json_path} holds a JSON {type(meta).__name__}, not a gankit checkpoint's "
                          "object; delete it to fall back to an earlier one.")
    if meta.get("format") != FORMAT:
        raise GankitError(f"{json_path} is not a gankit checkpoint (format {meta.get('format')!r}); point at a gankit run folder.")
    missing = [key for key in ("tensors", "step") if key not in meta]
    if missing or not isinstance(meta.get("tensors"), str):
        raise GankitError(f"checkpoint {json_path} lacks its '{(missing or ['tensors'])[0]}' entry; delete it to fall "
                          "back to an earlier one.")
    tensor_path = Path(json_path).parent / meta["tensors"]
    try:
        tensors = load_file(str(tensor_path))
    except (OSError, SafetensorError, ValueError):
        raise GankitError(f"checkpoint tensors {tensor_path} are missing or damaged; delete {json_path} to fall back to an earlier checkpoint.") from None
    return tensors, meta


def prune_checkpoints(folder: Path, keep: int) -> None:
    """Delete all but the newest `keep` checkpoints (keep=0 keeps all)."""
    if keep <= 0:
        return
    for json_path in list_checkpoints(folder)[:-keep]:
        json_path.unlink()  # the JSON first, so a half-deleted checkpoint is never listed
        json_path.with_suffix(".safetensors").unlink(missing_ok=True)
