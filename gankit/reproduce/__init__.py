"""`gankit reproduce`: the classic GAN experiments, each a real training run, its measurements and figures."""

from __future__ import annotations

from pathlib import Path

from gankit.errors import GankitError
from gankit.reproduce import fig1, saturation
from gankit.reproduce import mode_collapse, wgan_loss  # they import report, never this package
from gankit.reproduce.report import Report
from gankit.train.run_dir import new_run_dir

SCALES = ("tiny", "default", "full")  # tiny: tests; default: a few minutes on 2 cores; full: --full

# name -> experiment module; each has TITLE and run(report), which trains, measures and fills the report.
EXPERIMENTS: dict = {
    "mode-collapse": mode_collapse,
    "wgan-meaningful-loss": wgan_loss,
    "fig1": fig1,
    "saturation": saturation,
}


def _module(name: str):
    if name not in EXPERIMENTS:
        known = ", ".join(EXPERIMENTS) or "none yet"
        raise GankitError(f"no experiment named '{name}'; choose one of: {known}.")
    return EXPERIMENTS[name]


def reproduce(name: str, out: str | Path = "reproductions", scale: str = "default") -> Report:
    """Run experiment `name` into a new numbered folder under `out`; return its saved report."""
    if scale not in SCALES:
        raise GankitError(f"scale '{scale}' is not one of {', '.join(SCALES)}.")
    module = _module(name)
    report = Report(new_run_dir(Path(out), name), name, module.TITLE, scale)
    module.run(report)
    report.save()
    return report
