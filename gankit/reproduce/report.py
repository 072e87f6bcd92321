"""A reproduction's report: Markdown with its figures, and its measurements as JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

from gankit.atomic import atomic_write
from gankit.report.markdown import to_html

SAVE_SECONDS = 600.0  # a training that keeps progress checkpoints this often (gankit.reproduce.progress)


def _plain(value):
    """JSON-ready numbers: NaN and inf become null, tuples become lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def cell(value) -> str:
    """A Markdown table cell: floats with 4 significant digits, None empty, `|` escaped (it would split the cell)."""
    text = f"{value:.4g}" if isinstance(value, float) else ("" if value is None else str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A Markdown table whose every cell is escaped."""
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows])


def environment() -> dict:
    """What a reproduction's numbers depend on: torch, threads, the device, Python, determinism settings."""
    import platform

    import torch
    # Every reproduction trains and scores on the CPU (start_session(..., "cpu")), on a GPU machine too.
    return {"torch": torch.__version__, "threads": torch.get_num_threads(), "python": platform.python_version(),
            "device": "CPU", "machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "deterministic_algorithms": torch.are_deterministic_algorithms_enabled()}


class Report:
    """Collects text, figures, tables and measurements; save() writes report.md and results.json."""

    def __init__(self, out_dir: Path, name: str, title: str, scale: str, data_path: str | None = None,
                 only: list[str] | None = None):
        self.out_dir, self.name, self.title, self.scale = Path(out_dir), name, title, scale
        self.data_path = data_path  # the user's data for experiments that take it (USES_DATA)
        self.only = only  # the keys of the runs chosen with --only (experiments with every_run), None: all
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.parts: list[str] = []
        self.results: dict = {}
        self.summary: list[tuple[str, str, str]] = []  # (quantity, measured, reference or expectation)
        self.save_every = SAVE_SECONDS

    def text(self, markdown: str) -> None:
        """A paragraph of Markdown."""
        self.parts.append(markdown.strip())

    def figure(self, path: Path, caption: str) -> None:
        """An image already written inside the output folder, with a caption."""
        rel = Path(path).resolve().relative_to(self.out_dir.resolve())
        self.parts.append(f"![{caption}]({rel.as_posix()})\n\n*{caption}*")

    def table(self, rows: list[dict], columns: list[str] | None = None) -> None:
        """A Markdown table of dict rows (floats shown with 4 significant digits)."""
        if not rows:
            return
        columns = columns or list(rows[0])
        self.parts.append(markdown_table(columns, [[r.get(c) for c in columns] for r in rows]))

    def measure(self, key: str, value) -> None:
        """Record a measurement for results.json."""
        self.results[key] = value

    def claim(self, quantity: str, measured: str, expected: str) -> None:
        """A line of the summary table printed at the end and written atop the report."""
        self.summary.append((quantity, measured, expected))

    def save(self) -> tuple[Path, Path]:
        """Write report.md and results.json into the output folder."""
        env = environment()
        head = [f"# {self.title}", f"Scale: `{self.scale}`. Measured with torch {env['torch']} on the "
                f"{env['device']} with {env['threads']} thread(s), Python {env['python']}: with the same seeds the "
                "numbers repeat exactly on the same machine and threads; another machine, thread count or torch "
                "version changes the floating-point order, so single-seed numbers move there (see the spread over "
                "seeds where a conclusion rests on it)." + (f" Only the runs {', '.join(self.only)} (`--only`)."
                                                            if self.only else "")]
        if self.summary:
            head.append(markdown_table(["quantity", "measured", "reference / expectation"],
                                       [list(row) for row in self.summary]))
        body = "\n\n".join(head + self.parts) + "\n"
        md, js = self.out_dir / "report.md", self.out_dir / "results.json"
        atomic_write(md, lambda f: f.write(body.encode()))
        page = to_html(body, self.out_dir)  # report.html: the same, its figures embedded, for a browser
        atomic_write(self.out_dir / "report.html", lambda f: f.write(page.encode()))
        payload = {"experiment": self.name, "scale": self.scale, "only": self.only, "environment": env,
                   "results": _plain(self.results), "summary": [list(row) for row in self.summary]}
        atomic_write(js, lambda f: f.write(json.dumps(payload, indent=1).encode()))
        return md, js

    def summary_table(self) -> str:
        """The summary as aligned text for the terminal."""
        rows = [("quantity", "measured", "reference / expectation")] + self.summary
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)
