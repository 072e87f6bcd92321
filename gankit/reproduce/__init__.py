"""`gankit reproduce`: the classic GAN experiments, each a real training run, its measurements and figures."""

from __future__ import annotations

import sys
from fnmatch import fnmatchcase
from pathlib import Path

from gankit.errors import GankitError
from gankit.reproduce import augmentation, cgan, dcgan_vs_mlp, fgan, fig1, saturation
from gankit.reproduce import mode_collapse, table1, wgan_loss  # they import report, never this package
from gankit.reproduce import cyclegan, pix2pix, stargan
from gankit.reproduce import seqgan, text
from gankit.reproduce import low_data, stylegan2
from gankit.reproduce import nextframe, srgan
from gankit.reproduce import progress
from gankit.reproduce.report import Report
from gankit.train.run_dir import new_run_dir

SCALES = ("tiny", "default", "full")  # tiny: tests; default: a few minutes on 2 cores; full: --full

# name -> experiment module; each has TITLE and run(report), which trains, measures and fills the report.
EXPERIMENTS: dict = {
    "mode-collapse": mode_collapse,
    "wgan-meaningful-loss": wgan_loss,
    "fig1": fig1,
    "saturation": saturation,
    "table1": table1,
    "dcgan": dcgan_vs_mlp,
    "cgan": cgan,
    "augmentation": augmentation,
    "fgan": fgan,
    "pix2pix": pix2pix,
    "cyclegan": cyclegan,
    "stargan": stargan,
    "seqgan": seqgan,
    "text": text,
    "low-data": low_data,
    "stylegan2": stylegan2,
    "srgan": srgan,
    "nextframe": nextframe,
}


def _module(name: str):
    if name not in EXPERIMENTS:
        known = ", ".join(EXPERIMENTS) or "none yet"
        raise GankitError(f"no experiment named '{name}'; choose one of: {known}.")
    return EXPERIMENTS[name]


def reproduce(name: str, out: str | Path = "reproductions", scale: str | None = None,
              data: str | Path | None = None, resume: bool | str | Path = False, only: str | None = None) -> Report:
    """Run experiment `name` into a new numbered folder under `out`; return its saved report.

    `scale` is tiny, default (when None) or full. `data` is a folder of the user's own data, for the
    experiments that take it (table1: MNIST IDX files). `resume` continues a stopped reproduction: True for the
    newest unfinished one of `name` under `out`, or its folder; its scale and data are the ones it started with,
    and its trainings go on from their last checkpoints (gankit.reproduce.progress). `only` runs a chosen part
    of the experiments that list their runs (every_run): comma-separated keys, * and ? matching as in file names.
    """
    if scale is not None and scale not in SCALES:
        raise GankitError(f"scale '{scale}' is not one of {', '.join(SCALES)}.")
    module = _module(name)
    if resume:
        folder, manifest = _resumed(name, out, resume)
        for asked, kept, flag, drop in ((scale, manifest["scale"], "the scale", "--full"),
                                        (data, manifest.get("data"), "--data", "--data"),
                                        (only, manifest.get("only"), "--only", "--only")):
            if asked is not None and str(asked) != str(kept):
                started = f"without {flag}" if kept is None else f"with {flag} {kept}, not {asked}"
                raise GankitError(f"{folder} was started {started}; resume it without {drop}, or start a new "
                                  "reproduction.")
        scale, data, only = manifest["scale"], manifest.get("data"), manifest.get("only")
        keys = chosen(name, module, only)
    else:
        scale = scale or "default"
        _check_data(name, module, data)
        keys = chosen(name, module, only)
        folder = new_run_dir(Path(out), name)
        progress.write_manifest(folder, name, scale, None if data is None else str(data), only)
    report = Report(folder, name, module.TITLE, scale, data_path=None if data is None else str(data), only=keys)
    print(f"gankit: {'continuing' if resume else 'writing'} {folder} ({scale} scale); if it stops, `gankit reproduce "
          f"{name} --resume {folder}` continues it.", file=sys.stderr)
    module.run(report)
    report.save()
    return report


def _resumed(name: str, out, resume) -> tuple[Path, dict]:
    """The folder --resume continues and its manifest."""
    if resume is True:
        folder = progress.unfinished(Path(out), name)
        if folder is None:
            raise GankitError(f"no unfinished '{name}' reproduction under {out} to resume; drop --resume to start "
                              "one.")
    else:
        folder = Path(resume)
    return folder, progress.resumable(folder, name)


def chosen(name: str, module, only: str | None) -> list[str] | None:
    """The keys of the runs `only` picks from the experiment's every_run() (None: all of the scale's runs); one
    sentence when the experiment cannot choose or a pattern matches nothing."""
    if only is None:
        return None
    if not hasattr(module, "every_run"):
        takers = ", ".join(n for n, m in EXPERIMENTS.items() if hasattr(m, "every_run"))
        raise GankitError(f"experiment '{name}' runs as a whole and takes no --only; only {takers} can choose runs.")
    keys = module.every_run()
    patterns = [p.strip() for p in str(only).split(",")]
    for pattern in patterns:
        if not any(fnmatchcase(key, pattern) for key in keys):
            raise GankitError(f"--only '{pattern}' matches none of {name}'s runs; give keys (or patterns with * and "
                              f"?) from: {', '.join(keys)}.")
    return [key for key in keys if any(fnmatchcase(key, p) for p in patterns)]


def _check_data(name: str, module, data) -> None:
    if data is None:
        return
    takers = [n for n, m in EXPERIMENTS.items() if getattr(m, "USES_DATA", False)]
    if not getattr(module, "USES_DATA", False):
        raise GankitError(f"experiment '{name}' uses built-in data and takes no --data; only "
                          f"{', '.join(takers)} {'does' if len(takers) == 1 else 'do'}.")
    if not Path(data).is_dir():
        raise GankitError(f"--data {data} is not a folder; give the folder that holds the four MNIST IDX "
                          "files (train-images-idx3-ubyte[.gz], ...).")
