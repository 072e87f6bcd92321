"""What a report shows of a run folder, read from its files alone (no data, no networks): its recipe and config,
its statistics, evaluations and best checkpoint, its progress pictures or sentences and its GIF."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gankit.config_rules import flatten
from gankit.config_yaml import load_yaml
from gankit.train.run_dir import RUN_NAME

BOOKKEEPING = ("step", "wall_time", "examples_seen")


@dataclass
class RunRecord:
    """One run folder as the report reads it."""

    path: Path
    config: dict = field(default_factory=dict)       # flattened keys
    stats: list = field(default_factory=list)        # stats.jsonl records
    checkpoints: list = field(default_factory=list)  # steps of the regular checkpoints
    best: dict | None = None                         # {"metric", "value", "step"} of checkpoints/best
    metrics: dict = field(default_factory=dict)      # metrics.json of `gankit eval`
    pictures: list = field(default_factory=list)     # (step, path) of samples/step-*.png or .txt
    gif: Path | None = None
    problems: list = field(default_factory=list)     # what could not be read, said in the report

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def recipe(self) -> str:
        match = RUN_NAME.match(self.path.name)
        return match.group(2) if match else self.path.name

    @property
    def steps(self) -> int | None:
        last = [r["step"] for r in self.stats if isinstance(r.get("step"), int)]
        return max(last + self.checkpoints) if last or self.checkpoints else None

    @property
    def minutes(self) -> float | None:
        times = [r["wall_time"] for r in self.stats if isinstance(r.get("wall_time"), (int, float))]
        return max(times) / 60 if times else None

    def series(self) -> dict[str, list[tuple[float, float]]]:
        """Every logged statistic (losses, D's outputs, metrics/..., augmentation p) as (step, value) pairs."""
        out: dict = {}
        for record in self.stats:
            for key, value in record.items():
                if key not in BOOKKEEPING and isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.setdefault(key, []).append((record["step"], float(value)))
        return out

    def last_evaluations(self) -> dict:
        """The last value of each metric logged during training (train.eval_every)."""
        return {k.removeprefix("metrics/"): v[-1][1] for k, v in self.series().items() if k.startswith("metrics/")}


def is_run(path: Path) -> bool:
    """Whether a folder is a gankit run folder (it holds the config.yaml `gankit train` writes)."""
    return (path / "config.yaml").is_file()


def read_run(path: Path) -> RunRecord:
    """A run folder's files, each missing or unreadable one noted instead of raised."""
    run = RunRecord(Path(path))
    try:
        run.config = flatten(load_yaml(path / "config.yaml"))
    except Exception as exc:  # a damaged config is reported, the rest still shown
        run.problems.append(f"config.yaml could not be read ({exc})")
    stats = path / "stats.jsonl"
    if stats.is_file():
        for number, line in enumerate(stats.read_text(errors="replace").splitlines(), 1):
            try:
                record = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                record = None
                run.problems.append(f"stats.jsonl line {number} is not JSON")
            if isinstance(record, dict) and isinstance(record.get("step"), int):
                run.stats.append(record)
    run.checkpoints = sorted(int(p.stem.removeprefix("ckpt-")) for p in (path / "checkpoints").glob("ckpt-*.json")
                             if p.stem.removeprefix("ckpt-").isdigit())
    run.best = _json(path / "checkpoints" / "best.json", run).get("extra", {}).get("best")
    run.metrics = {k: v for k, v in _json(path / "metrics.json", run).items() if isinstance(v, (int, float))}
    pictures = [(int(p.stem.removeprefix("step-")), p) for p in (path / "samples").glob("step-*")
                if p.suffix in (".png", ".txt") and p.stem.removeprefix("step-").isdigit()]
    run.pictures = sorted(pictures)
    run.gif = path / "samples.gif" if (path / "samples.gif").is_file() else None
    return run


def _json(path: Path, run: RunRecord) -> dict:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError):
        run.problems.append(f"{path.name} could not be read")
        return {}
    return value if isinstance(value, dict) else {}
