"""`gankit report`: one self-contained HTML page of one or more runs, or an index of every run in a folder.

A page holds, for each run, its recipe, the config (keys that differ between the runs highlighted), the
metrics (`gankit eval`'s metrics.json, the best checkpoint, the last evaluation during training), the curves
of every logged statistic drawn on shared axes (one line per run), the progress pictures as a strip of
thumbnails with the newest large, the GIF, and for text runs the newest sample sentences. Images are embedded
(data: URIs), so the file opens anywhere without a server or network. A run without checkpoints or metrics
is shown as such.
"""

from __future__ import annotations

import os
from pathlib import Path

from gankit.atomic import atomic_write
from gankit.errors import GankitError
from gankit.report.html import COLORS, chart, data_uri, esc, fmt, page, table
from gankit.report.runs import RunRecord, is_run, read_run

THUMB = 96          # px: the strip's thumbnails (PNG); the newest picture is embedded as it is
SMALL_THUMB = 64    # px, on pages of more than MANY runs (20 runs x 30 pictures: 3.3 MB, not 5.7)
MANY = 4
MAX_STRIP = 30      # pictures in a run's strip (evenly picked when there are more)
GIF_RUNS = 2        # pages of at most this many runs embed each run's GIF


def report(paths: list[str | Path], out: str | Path | None = None) -> Path:
    """Write the report of run folders (or the index of a folder of runs); the page written."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise GankitError("give one or more run folders, or a folder of runs.")
    for p in paths:
        if not p.is_dir():
            raise GankitError(f"{p} is not a folder; give a run folder (the one `gankit train` printed) or a folder "
                              "of runs.")
    if out is not None and Path(out).exists():
        raise GankitError(f"{out} already exists; choose another --out or remove it first.")
    if len(paths) == 1 and not is_run(paths[0]):
        return write_index(paths[0], out)
    for p in paths:
        if not is_run(p):
            raise GankitError(f"{p} is not a gankit run folder (no config.yaml); give the folder `gankit train` "
                              "printed.")
    target = Path(out) if out is not None else (paths[0] / "report.html" if len(paths) == 1 else Path("report.html"))
    return _write(target, run_page([read_run(p) for p in paths], target.parent))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda f: f.write(text.encode()))
    return path


def run_page(runs: list[RunRecord], where: Path) -> str:
    """The page of one or more runs."""
    colors = {r.name: COLORS[i % len(COLORS)] for i, r in enumerate(runs)}
    title = runs[0].name if len(runs) == 1 else f"{len(runs)} gankit runs"
    legend = "<p class='legend'>" + "".join(f"<span style='color:{colors[r.name]}'>&#9632; {esc(r.name)}</span>"
                                            for r in runs) + "</p>"
    body = [legend, "<h2>Runs</h2>", table(["run", "recipe", "objective", "steps", "training minutes", "checkpoints",
                                            "best checkpoint"], [_overview(r) for r in runs])]
    body += [_metrics(runs), "<h2>Curves</h2>" + legend + _curves(runs, colors), _config(runs)]
    thumb = THUMB if len(runs) <= MANY else SMALL_THUMB
    for r in runs:
        body.append(_pictures(r, embed_gif=len(runs) <= GIF_RUNS, thumb=thumb))
    return page(title, "".join(body))


def _overview(r: RunRecord) -> list:
    best = f"{r.best['metric']} {fmt(r.best['value'])} at step {r.best['step']}" if r.best else "none"
    return [r.name, r.recipe, r.config.get("objective", "gan"), r.steps if r.steps is not None else "none",
            r.minutes, ", ".join(map(str, r.checkpoints)) or "none (no checkpoint was written)", best]


def _metrics(runs: list[RunRecord]) -> str:
    """One row per metric, one column per run: `gankit eval`'s, then the last during training."""
    names = sorted({k for r in runs for k in r.metrics}) + sorted(
        {f"{k} (training, last)" for r in runs for k in r.last_evaluations()})
    if not names:
        return ("<h2>Metrics</h2><p class='note'>No metrics: no `gankit eval` (metrics.json) and no "
                "train.eval_every.</p>")
    rows = []
    for name in names:
        key = name.removesuffix(" (training, last)")
        source = (lambda r: r.last_evaluations()) if name.endswith("(training, last)") else (lambda r: r.metrics)
        rows.append([name] + [source(r).get(key, "-") for r in runs])
    metrics = table(["metric"] + [r.name for r in runs], rows)
    return "<h2>Metrics</h2>" + metrics.replace("<table>", "<table id='metrics'>", 1)


def _config(runs: list[RunRecord]) -> str:
    keys = sorted({k for r in runs for k in r.config})
    differs = [k for k in keys if len({repr(r.config.get(k)) for r in runs}) > 1]
    header = ["key"] + [r.name for r in runs]
    problems = "".join(f"<p class='note'>{esc(r.name)}: {esc(p)}</p>" for r in runs for p in r.problems)
    shown = ""
    if len(runs) > 1:
        values = [[k] + [r.config.get(k, "-") for r in runs] for k in differs]
        shown = (f"<p>{len(differs)} key(s) differ between the runs:</p>"
                 + table(header, values, ["differs"] * len(differs)))
    rows = [[k] + [r.config.get(k, "-") for r in runs] for k in keys]
    return (f"<h2>Config</h2>{problems}{shown}<details><summary>every key</summary>"
            + table(header, rows, ["differs" if k in differs else "" for k in keys]) + "</details>")


def _curves(runs: list[RunRecord], colors: dict) -> str:
    series = {r.name: r.series() for r in runs}
    keys = sorted({k for s in series.values() for k in s}, key=lambda k: (k.startswith("metrics/"), k))
    charts = [chart(k, {name: s[k] for name, s in series.items() if k in s}, colors) for k in keys]
    return f"<div class='charts'>{''.join(charts)}</div>" if keys else "<p class='note'>No statistics logged.</p>"


def _pictures(r: RunRecord, embed_gif: bool, thumb: int = THUMB) -> str:
    out = [f"<h2>{esc(r.name)}: samples</h2>"]
    images = [(step, p) for step, p in r.pictures if p.suffix == ".png"]
    texts = [(step, p) for step, p in r.pictures if p.suffix == ".txt"]
    if images:
        picked = images if len(images) <= MAX_STRIP else [images[round(i * (len(images) - 1) / (MAX_STRIP - 1))]
                                                          for i in range(MAX_STRIP)]
        out.append("<div class='strip'>" + "".join(
            f"<figure><img src='{data_uri(p, thumb)}' alt='step {step}' style='width:{thumb}px'>"
            f"<figcaption>{step}</figcaption></figure>"
            for step, p in picked) + "</div>")
        step, last = images[-1]
        out.append(f"<p>Step {step}:</p><img class='big' src='{data_uri(last)}' alt='samples at step {step}'>")
    if texts:
        step, last = texts[-1]
        out.append(f"<p>Sample sentences at step {step}:</p><pre>{esc(last.read_text(errors='replace'))}</pre>")
    if r.gif is not None and embed_gif:
        out.append(f"<p>Across training:</p><img class='big' src='{data_uri(r.gif)}' alt='samples across training'>")
    if not r.pictures:
        out.append("<p class='note'>No progress pictures.</p>")
    return "".join(out)


def write_index(folder: Path, out: str | Path | None = None) -> Path:
    """FOLDER/index.html (or out): one row per run, newest first, linking to each run's report.html (written)."""
    runs = sorted((p for p in folder.iterdir() if p.is_dir() and is_run(p)), key=lambda p: p.name, reverse=True)
    if not runs:
        raise GankitError(f"{folder} holds no gankit run (no config.yaml in it or its sub-folders); give a run folder "
                          "or a folder of runs.")
    target = Path(out) if out is not None else folder / "index.html"
    rows = []
    for path in runs:
        record = read_run(path)
        page_path = _write(path / "report.html", run_page([record], path))
        images = [p for _, p in record.pictures if p.suffix == ".png"]
        thumb = f"<img src='{data_uri(images[-1], THUMB)}' alt='{esc(record.name)}'>" if images else "-"
        link = Path(os.path.relpath(page_path.resolve(), target.parent.resolve()))
        best = f"{record.best['metric']} {fmt(record.best['value'])}" if record.best else "-"
        rows.append(f"<tr><td><a href='{esc(link.as_posix())}'>{esc(record.name)}</a></td>"
                    f"<td>{esc(record.recipe)}</td><td>{fmt(record.steps)}</td><td>{fmt(record.minutes)}</td>"
                    f"<td>{esc(best)}</td><td>{thumb}</td></tr>")
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in ("run", "recipe", "steps", "training minutes", "best",
                                                       "newest samples")) + "</tr>"
    return _write(target, page(f"gankit runs in {folder}", f"<table id='runs'>{head}{''.join(rows)}</table>"))

