"""A long reproduction's progress, kept so that `gankit reproduce NAME --resume` continues it where it stopped.

Each training of a reproduction that keeps progress saves a checkpoint into FOLDER/progress/KEY/ (gankit's
checkpoint format: safetensors and JSON, nothing pickled, written atomically) every `every` seconds of
training and when it finishes, with the loop's own state beside the session's (a curve measured so far, the
per-step statistics). A resumed reproduction restores each one: a finished training is not trained again and
one stopped midway goes on from its last checkpoint, bit for bit as if it had never stopped (the session's
resume is exact). The measurements after training (samples, metrics) are cheap next to it and are made again.
FOLDER/reproduction.json names the experiment and its scale; results.json appears when the report is written.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from gankit import __version__
from gankit.atomic import atomic_write
from gankit.config import to_dict
from gankit.config_rules import flatten
from gankit.errors import GankitError
from gankit.reproduce.report import SAVE_SECONDS
from gankit.train import checkpoint as ckpt
from gankit.train.run_dir import newest_run_dir

MANIFEST = "reproduction.json"
KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


class Keeper:
    """One training's checkpoints under `folder` (None: nothing is kept, for callers outside a report)."""

    def __init__(self, folder: Path | None, every: float = SAVE_SECONDS):
        self.folder, self.every = folder, every
        self._last = time.perf_counter()

    def restore(self, s) -> dict:
        """Load the newest checkpoint into session s, if there is one; the loop state saved with it ({} if none)."""
        if self.folder is None or not ckpt.list_checkpoints(self.folder):
            return {}
        tensors, meta, _, _ = ckpt.load_newest_good(self.folder)
        now, then = flatten(_json(to_dict(s.cfg))), flatten(meta.get("config", {}))
        changed = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
        if changed:
            raise GankitError(f"{self.folder} was trained with {changed[0]}={then.get(changed[0])!r} and this gankit "
                              f"trains it with {now.get(changed[0])!r}; resume with the gankit that started it, or "
                              "start a new reproduction without --resume.")
        s.restore(tensors, meta)
        self._last = time.perf_counter()
        return meta.get("loop", {})

    def due(self) -> bool:
        """Whether `every` seconds have passed since the last checkpoint."""
        return self.folder is not None and time.perf_counter() - self._last >= self.every

    def save(self, s, loop: dict | None = None) -> None:
        """A checkpoint of session s and the loop's JSON-ready state, now; only the newest is kept."""
        if self.folder is None:
            return
        tensors, meta = s.tensors()
        meta.update(config=to_dict(s.cfg), loop=loop or {}, gankit=__version__)
        ckpt.save_checkpoint(self.folder, s.step, tensors, meta)
        ckpt.prune_checkpoints(self.folder, 1)
        self._last = time.perf_counter()


def _json(tree: dict) -> dict:
    """tree as it reads back from JSON (tuples become lists), so a saved config compares equal."""
    return json.loads(json.dumps(tree))


def keeper(report, key: str) -> Keeper:
    """The Keeper of training `key` of a report (nothing kept when report is None)."""
    if report is None:
        return Keeper(None)
    if not KEY.match(key):
        raise ValueError(f"progress key {key!r} must be letters, digits, '.', '_' or '-'")
    return Keeper(report.out_dir / "progress" / key, report.save_every)


def write_manifest(folder: Path, name: str, scale: str, data: str | None, only: str | None = None) -> None:
    """FOLDER/reproduction.json: what --resume needs to continue the reproduction in FOLDER."""
    body = {"experiment": name, "scale": scale, "data": data, "only": only, "gankit": __version__}
    atomic_write(folder / MANIFEST, lambda f: f.write(json.dumps(body, indent=1).encode()))


def read_manifest(folder: Path) -> dict:
    """A reproduction folder's manifest; one sentence when it is missing or not gankit's."""
    path = Path(folder) / MANIFEST
    try:
        body = json.loads(path.read_text())
    except FileNotFoundError:
        raise GankitError(f"{folder} is not a reproduction folder that can resume (it has no {MANIFEST}); give "
                          "the folder a `gankit reproduce` run made, or drop --resume.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise GankitError(f"{path} is unreadable or damaged; start a new reproduction without --resume.") from None
    if not isinstance(body, dict) or not isinstance(body.get("experiment"), str) or not isinstance(body.get("scale"),
                                                                                                    str):
        raise GankitError(f"{path} is not a gankit reproduction manifest; start a new reproduction without --resume.")
    return body


def unfinished(out: Path, name: str) -> Path | None:
    """The highest-numbered folder of experiment `name` under out that has a manifest and no results yet."""
    return newest_run_dir(out, name, lambda p: (p / MANIFEST).is_file() and not (p / "results.json").exists())


def resumable(folder: Path, name: str) -> dict:
    """The manifest of a folder given to --resume, checked: experiment `name`'s, not finished."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GankitError(f"--resume {folder} is not a folder; give a reproduction's folder (or --resume alone for "
                          f"the newest unfinished '{name}').")
    body = read_manifest(folder)
    if body["experiment"] != name:
        raise GankitError(f"{folder} holds the '{body['experiment']}' reproduction, not '{name}'; run `gankit "
                          f"reproduce {body['experiment']} --resume {folder}`.")
    if (folder / "results.json").exists():
        raise GankitError(f"{folder} is finished (its report is {folder / 'report.md'}); start a new reproduction "
                          "without --resume.")
    return body
