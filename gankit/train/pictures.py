"""What a run's progress pictures add up to at the end: the GIF of the pictures and the curves.

Each picture is drawn by its family (Family.draw: a grid, a toy plot, ...).
"""

from __future__ import annotations

from pathlib import Path

from gankit.viz import plot_curves, read_stats, save_gif


def finish_pictures(run_dir: Path) -> dict[str, Path]:
    """Write samples.gif from the progress pictures and curves.png from stats.jsonl."""
    out = {}
    frames = sorted((run_dir / "samples").glob("step-*.png"))
    if frames:
        out["gif"] = save_gif(frames, run_dir / "samples.gif", duration_ms=250)
        out["grid"] = frames[-1]
    records = read_stats(run_dir / "stats.jsonl") if (run_dir / "stats.jsonl").exists() else []
    if records:
        out["curves"] = plot_curves(records, run_dir / "curves.png")
    return out
