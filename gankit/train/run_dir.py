"""Run folders: one numbered folder per run, and its stats.jsonl log."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import torch

from gankit.atomic import atomic_write
from gankit.errors import GankitError
from gankit.train.distributed import SINGLE, World, mean_over_ranks
from gankit.viz import make_grid

RUN_NAME = re.compile(r"^(\d{5})-(.+)$")


def new_run_dir(out: Path, name: str) -> Path:
    """Create out/NNNNN-name with the next free number; never reuses a folder."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GankitError(f"--out {out} is a file; give a folder for the runs.")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file on the way, no permission, a full disk
        raise GankitError(f"--out {out} cannot be made a folder ({exc.strerror}); give a folder you can write "
                          "to.") from None
    numbers = [int(m.group(1)) for p in out.iterdir() if (m := RUN_NAME.match(p.name))]
    number = max(numbers, default=-1) + 1
    while True:
        run_dir = out / f"{number:05d}-{name}"
        try:
            run_dir.mkdir()
            return run_dir
        except FileExistsError:  # another process took the number
            number += 1


def latest_run_dir(out: Path, name: str) -> Path | None:
    """The highest-numbered run folder of recipe `name` under out that holds a checkpoint, if any.

    A folder left by a run that failed before its first checkpoint is passed over, so `--resume`
    continues the good run before it.
    """
    return newest_run_dir(out, name, lambda p: any((p / "checkpoints").glob("ckpt-*.json")))


def newest_run_dir(out: Path, name: str, holds: Callable[[Path], bool]) -> Path | None:
    """The highest-numbered folder out/NNNNN-name for which holds(folder) is true, if any."""
    out = Path(out)
    if not out.is_dir():
        return None
    runs = sorted((int(m.group(1)), p) for p in out.iterdir()
                  if (m := RUN_NAME.match(p.name)) and m.group(2) == name and p.is_dir() and holds(p))
    return runs[-1][1] if runs else None


class StatsLog:
    """Appends one JSON object per logged step to stats.jsonl (and TensorBoard, when asked). Under torchrun
    every process accumulates and averages its statistics with the others; only rank 0 writes."""

    def __init__(self, path: Path, keep_until: int, tensorboard_dir: Path | None = None, world: World = SINGLE):
        self.path, self.world = Path(path), world
        self._sums: dict[str, torch.Tensor] = {}
        self._counts: dict[str, int] = {}
        self._file = self._tb = None
        if not world.main:
            return
        self._drop_after(keep_until)
        self._file = self.path.open("a")
        if tensorboard_dir is not None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                raise GankitError("train.tensorboard needs the tensorboard package; run `pip install tensorboard` or set train.tensorboard=false.") from None
            self._tb = SummaryWriter(str(tensorboard_dir), purge_step=keep_until + 1)

    def _drop_after(self, step: int) -> None:
        # A resumed run repeats the steps after its checkpoint; forget their old lines.
        if not self.path.exists():
            return
        kept = []
        for number, line in enumerate(self.path.read_text(errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if not isinstance(record, dict):
                raise GankitError(f"{self.path} line {number} is damaged (not a JSON object); fix or delete that "
                                  "line, then resume.")
            if record.get("step", 0) <= step:
                kept.append(line)
        text = "".join(line + "\n" for line in kept).encode()
        atomic_write(self.path, lambda f: f.write(text))  # a crash leaves the old log or the new, never half

    def write(self, record: dict) -> None:
        """Log one record (must hold 'step'); rank 0 only."""
        if self._file is None:
            return
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        if self._tb is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)):
                    self._tb.add_scalar(key, value, record["step"])

    def accumulate(self, stats: dict) -> None:
        """Add one step's statistics (0-d tensors, left on their device) to the interval's sums."""
        for key, value in stats.items():
            self._sums[key] = self._sums[key] + value if key in self._sums else value.detach().clone()
            self._counts[key] = self._counts.get(key, 0) + 1

    def means(self) -> dict:
        """The interval's means as floats, read from the device at once; a new interval starts.

        Each statistic is averaged over the steps that reported it (a phase's or a lazy regulariser's
        statistic is not diluted by the steps without it), then over the processes.
        """
        keys = list(self._sums)
        values = mean_over_ranks(torch.stack([self._sums[k].float() for k in keys]), self.world).tolist() if keys else []
        means = {k: v / self._counts[k] for k, v in zip(keys, values)}
        self._sums, self._counts = {}, {}
        return means

    def add_image(self, tag: str, images, step: int) -> None:
        """Send a grid of images (N, C, H, W) in [-1, 1] to TensorBoard, when enabled."""
        if self._tb is not None:
            grid = make_grid(images)
            self._tb.add_image(tag, grid, step, dataformats="HWC" if grid.ndim == 3 else "HW")

    def close(self) -> None:
        """Flush and close the files."""
        if self._file is not None:
            self._file.close()
        if self._tb is not None:
            self._tb.close()
