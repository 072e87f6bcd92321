"""Training curves from a stats.jsonl log: losses and discriminator outputs."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

from matplotlib.figure import Figure

from gankit.atomic import PathLike, atomic_write

LOSS_KEYS = ("loss_D", "loss_G", "penalty")
D_KEYS = ("D_real", "D_fake")
# Bookkeeping columns: numeric, but plotting them against step means nothing.
SKIP_KEYS = frozenset({"step", "time", "wall_time", "images_seen", "examples_seen"})  # counters, not measurements
COLOURS = {"loss_D": "tab:blue", "loss_G": "tab:green", "penalty": "tab:purple",
           "D_real": "tab:blue", "D_fake": "tab:red"}
DPI = 100


def read_stats(path: PathLike) -> List[dict]:
    """Read a stats.jsonl file (one JSON object per line, blank lines skipped)."""
    records = []
    with open(path, "r", encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(
                    f"{path}: line {lineno} is not valid JSON ({error.msg})"
                ) from None
            if not isinstance(record, dict):
                raise ValueError(
                    f"{path}: line {lineno} is a JSON {type(record).__name__}, "
                    f"expected an object"
                )
            records.append(record)
    return records


def _is_number(value) -> bool:
    # bool is an int subclass, but a flag is not a curve.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _series(records: Sequence[dict]) -> Dict[str, Tuple[list, list]]:
    """Collect (steps, values) per numeric key, dropping non-finite values."""
    series: Dict[str, Tuple[list, list]] = {}
    for index, record in enumerate(records):
        step = record.get("step", index)
        if not _is_number(step):
            step = index
        for key, value in record.items():
            if key in SKIP_KEYS or not _is_number(value):
                continue
            if not math.isfinite(value):
                continue
            steps, values = series.setdefault(key, ([], []))
            steps.append(step)
            values.append(value)
    return series


def _draw(ax, series, keys, ylabel: str) -> int:
    drawn = 0
    for key in keys:
        if key not in series:
            continue
        steps, values = series[key]
        # Without markers a one-point series would be invisible.
        marker = "o" if len(steps) <= 20 else None
        ax.plot(steps, values, label=key, color=COLOURS.get(key), marker=marker,
                markersize=3, linewidth=1.2)
        drawn += 1
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    if drawn == 0:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes,
                ha="center", va="center", color="grey")
    return drawn


def _draw_half_line(ax, series) -> None:
    values = [v for key in D_KEYS if key in series for v in series[key][1]]
    # 1/2 is the equilibrium of a probability-valued D; for a critic with
    # unbounded scores (WGAN) the line would be meaningless.
    if values and all(0.0 <= v <= 1.0 for v in values):
        ax.axhline(0.5, color="black", linestyle=":", linewidth=1.0, label="D = 1/2")


def plot_curves(records: Sequence[dict], path: PathLike) -> Path:
    """Plot losses and D outputs (plus any other numeric keys) against step as a PNG."""
    series = _series(records)
    extra = sorted(k for k in series if k not in LOSS_KEYS and k not in D_KEYS)
    panels = 3 if extra else 2
    fig = Figure(figsize=(8, 2.8 * panels), layout="constrained")
    axes = fig.subplots(panels, 1, sharex=True, squeeze=False)[:, 0]
    _draw(axes[0], series, LOSS_KEYS, "loss")
    axes[0].set_title("losses")
    _draw_half_line(axes[1], series)
    _draw(axes[1], series, D_KEYS, "D output")
    axes[1].set_title("discriminator outputs")
    if extra:
        _draw(axes[2], series, extra, "value")
        axes[2].set_title("other metrics")
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("step")
    return atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=DPI))
