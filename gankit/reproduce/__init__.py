"""`gankit reproduce`: the classic GAN experiments, each a real training run, its measurements and figures."""

from __future__ import annotations

from pathlib import Path

from gankit.errors import GankitError
from gankit.reproduce import augmentation, cgan, dcgan_vs_mlp, fgan, fig1, saturation
from gankit.reproduce import mode_collapse, table1, wgan_loss  # they import report, never this package
from gankit.reproduce import cyclegan, pix2pix, stargan
from gankit.reproduce import seqgan, text
from gankit.reproduce import low_data, stylegan2
from gankit.reproduce import nextframe, srgan
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


def reproduce(name: str, out: str | Path = "reproductions", scale: str = "default",
              data: str | Path | None = None) -> Report:
    """Run experiment `name` into a new numbered folder under `out`; return its saved report.

    `data` is a folder of the user's own data, for the experiments that take it (table1: MNIST IDX files).
    """
    if scale not in SCALES:
        raise GankitError(f"scale '{scale}' is not one of {', '.join(SCALES)}.")
    module = _module(name)
    if data is not None:
        takers = [n for n, m in EXPERIMENTS.items() if getattr(m, "USES_DATA", False)]
        if not getattr(module, "USES_DATA", False):
            raise GankitError(f"experiment '{name}' uses built-in data and takes no --data; only "
                              f"{', '.join(takers)} {'does' if len(takers) == 1 else 'do'}.")
        if not Path(data).is_dir():
            raise GankitError(f"--data {data} is not a folder; give the folder that holds the four MNIST IDX "
                              "files (train-images-idx3-ubyte[.gz], ...).")
    report = Report(new_run_dir(Path(out), name), name, module.TITLE, scale,
                    data_path=None if data is None else str(data))
    module.run(report)
    report.save()
    return report
