"""What the image-to-image reproductions (pix2pix, cyclegan, stargan) share.

Training: a recipe's config trained on the CPU through start_session / advance
(as `gankit train` builds a run, seeded by cfg.train.seed, with torch's
threads as they are), for a number of steps: equal steps rather than equal
seconds, so that a run gives the same numbers every time on one machine and a
busy machine cannot cut one model's training short (the training seconds are
recorded beside them). Scoring: evaluate_translation
on the test split. Pictures: one grid of test translations per model. Tables:
one row of metrics per model.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import torch

from gankit.config import load_config
from gankit.data import load_dataset, to_float
from gankit.errors import GankitError
from gankit.objectives import EvalRequest
from gankit.reproduce.progress import Keeper
from gankit.train.session import Session, advance, start_session
from gankit.viz.grid import save_grid

SHARED = ["train.progress=false"]
GRID_EXAMPLES = 8  # test inputs drawn in each grid


def config(recipe: str, overrides: list[str]):
    """A recipe's config (loaded by name, so its current settings) with progress bars off and the overrides."""
    return load_config(recipe, SHARED + list(overrides))


def budget_text(size: dict, key: str = "steps") -> str:
    """How long each model of a size trains, in words."""
    return f"{size[key]:,} steps"


def train(cfg, data=None, *, steps: int, init=None, history: list | None = None, keep: Keeper | None = None,
          watch=None, notes: dict | None = None) -> Session:
    """Train cfg on the CPU for `steps` iterations; the session.

    `data` defaults to load_dataset(cfg.data). session.wall_time is the time spent inside the steps
    (building, data loading and evaluation not counted). `init(session)`, when given, runs before the first
    step (to start from another model's weights); each step's statistics are appended to `history` as floats.
    `watch(session, notes)`, when given, runs after each step (to measure the model midway); what it writes
    into the dict `notes` is kept with the checkpoints. `keep` (gankit.reproduce.progress) checkpoints the
    training as it goes and continues a stopped one, `history` and `notes` read back as they were.
    """
    data = load_dataset(cfg.data) if data is None else data
    keep = keep or Keeper(None)
    notes = {} if notes is None else notes
    s = start_session(cfg, data, "cpu")
    loop = keep.restore(s)
    notes.update(loop.get("notes", {}))
    if history is not None:
        history.extend(loop.get("history", []))
    if init is not None and not s.step:
        init(s)
    while s.step < steps:
        started = time.perf_counter()
        stats = advance(s, data)
        s.wall_time += time.perf_counter() - started
        if history is not None:
            history.append({k: float(v) for k, v in stats.items()})
        if not bool(torch.stack([v.float() for v in stats.values()]).isfinite().all()):
            raise GankitError(f"the {cfg.objective} model on {data.name} diverged at step {s.step} (a loss is not "
                              "finite); nothing to evaluate. Lower the learning rates in its recipe.")
        if watch is not None:
            watch(s, notes)
        if keep.due() or s.step == steps:
            keep.save(s, {"history": history or [], "notes": notes})
    return s


def train_for(cfg, size: dict, key: str = "steps", data=None) -> Session:
    """Train cfg for the size's budget: size[key] steps (equal steps, not equal seconds, so that the numbers
    are the same on every run of the same machine and a busy machine cannot shorten one model's training)."""
    return train(cfg, data, steps=size[key])


def evaluate(session: Session, n: int) -> dict:
    """The family's own evaluation on the first n examples of the test split, on the CPU."""
    request = EvalRequest(groups=session.family.evaluation.defaults(session.cfg, session.spec), n=n)
    return {"step": session.step, **session.family.evaluation.prepare(session.parts, request)()}


def test_split(data_cfg, n: int):
    """The first n examples of a data config's test split (of each domain, for unpaired tasks), unjittered."""
    return load_dataset(dataclasses.replace(data_cfg, split="test", limit=n, jitter=False))


def _translate(s: Session, x: torch.Tensor, **how) -> torch.Tensor:
    return s.family.generate(s.parts, {"x": x, **how})


def grid_columns(s: Session, test, n: int = GRID_EXAMPLES) -> tuple[list[torch.Tensor], str]:
    """(columns of images, their caption) for a grid of n test translations, by the session's family."""
    objective = s.cfg.objective
    if objective == "pix2pix":
        a = to_float(test.a[:n])
        return [a, _translate(s, a), to_float(test.b[:n])], "input | output | target"
    if objective == "cyclegan":
        a, b = to_float(test.a[:n]), to_float(test.b[:n])
        ab = _translate(s, a)
        aba = _translate(s, ab, direction="BtoA")
        if test.pairs_b is not None:  # edges_unpaired's test split keeps each edge map's garment
            return [a, ab, aba, to_float(test.pairs_b[:n])], "A | G_AB(A) | G_BA(G_AB(A)) | true B"
        half = (min(len(a), len(b)) + 1) // 2
        ba = _translate(s, b[:half], direction="BtoA")
        return ([torch.cat([a[:half], b[:half]]), torch.cat([ab[:half], ba]),
                 torch.cat([aba[:half], _translate(s, ba)])],
                "A | G_AB(A) | G_BA(G_AB(A)) in the first rows, B | G_BA(B) | G_AB(G_BA(B)) in the last")
    x = to_float(test.images[:n])
    k = s.spec.num_classes
    columns = [x] + [_translate(s, x, y=torch.full((len(x),), d, dtype=torch.int64)) for d in range(k)]
    return columns, "input | " + " | ".join(s.spec.class_names)


def save_columns(columns: list[torch.Tensor], path: Path, per_row: int = 2) -> Path:
    """Save columns (each (n, C, H, W)) as a grid, `per_row` examples a row, each example's images side by side."""
    n = min(len(c) for c in columns)
    images = torch.stack([c[:n] for c in columns], dim=1).flatten(0, 1)  # (n * k, C, H, W)
    return save_grid(images, path, nrow=per_row * len(columns), scale=3)


def sample_grid(s: Session, path: Path, test=None, n: int = GRID_EXAMPLES) -> str:
    """Save a grid of n test translations by the session's model at `path`; its caption.

    `test` defaults to the first n examples of the session's own test split.
    """
    test = test_split(s.cfg.data, n) if test is None else test
    columns, caption = grid_columns(s, test, n)
    save_columns(columns, path)
    return caption


def metric_row(name: str, s: Session, scores: dict, columns: dict[str, str]) -> dict:
    """A table row: the model's name, steps reached, training seconds, then scores[key] under each column label."""
    return {"model": name, "steps": s.step, "train s": round(s.wall_time, 1),
            **{label: scores.get(key) for label, key in columns.items()}}


def record(report, key: str, s: Session, scores: dict) -> None:
    """Measure one model: its steps, training seconds and every score, under `key` in results.json."""
    report.measure(key, {"steps": s.step, "train_seconds": s.wall_time, **scores})


def record_environment(report, n_eval: int) -> None:
    """The torch version, its thread count and the evaluation size, for results.json."""
    report.measure("torch_version", torch.__version__)
    report.measure("torch_threads", torch.get_num_threads())
    report.measure("n_eval", n_eval)


def ordering(values: dict[str, float | None], higher_is_better: bool = True) -> str:
    """Names from best to worst, e.g. `L1+cGAN > cGAN > L1` (ties as `=`; unknown values left out)."""
    known = sorted(((v, k) for k, v in values.items() if v is not None), reverse=higher_is_better)
    text = ""
    for i, (value, name) in enumerate(known):
        text += name if i == 0 else (" = " if value == known[i - 1][0] else " > ") + name
    return text or "unknown"


def verdict(ok: bool | None) -> str:
    """`met`, `not met`, or `unknown` (a value could not be measured)."""
    return "unknown" if ok is None else ("met" if ok else "not met")


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or `n/a`."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def num(value: float | None, digits: int = 3) -> str:
    """A number with `digits` significant digits, or `n/a`."""
    return "n/a" if value is None else f"{value:.{digits}g}"
