"""The pieces of a self-contained HTML page: escaping, embedded images, tables, and curves as inline SVG on
shared axes (one line per run), with no script, font or stylesheet from anywhere else."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf")
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;max-width:1200px;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;
text-align:left;vertical-align:top}th{background:#f4f4f4}tr.differs td{background:#fff3c4}
.charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #eee}.legend span{margin-right:1em}
.strip{display:flex;gap:4px;overflow-x:auto}.strip figure{margin:0;text-align:center;font-size:.75em}
.strip img{image-rendering:pixelated}img.big{max-width:100%;image-rendering:pixelated}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto}.note{color:#666}
"""


def esc(value) -> str:
    """Text made safe for HTML."""
    return html.escape("" if value is None else str(value))


def fmt(value) -> str:
    """A number with 4 significant digits, anything else as text."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4g}"
    return esc(value)


def data_uri(path: Path, max_width: int | None = None) -> str:
    """An image file as a data: URI; PNG/JPEG/GIF as they are, or shrunk to max_width as a PNG thumbnail
    (lossless, and no larger than a JPEG for grids of samples)."""
    path = Path(path)
    if max_width is None:
        kind = {".png": "png", ".gif": "gif", ".jpg": "jpeg", ".jpeg": "jpeg"}.get(path.suffix.lower(), "png")
        return f"data:image/{kind};base64," + base64.b64encode(path.read_bytes()).decode()
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("L" if image.mode in ("L", "1", "P") and image.mode != "P" else "RGB")
        if image.width > max_width:
            image = image.resize((max_width, max(1, round(image.height * max_width / image.width))), Image.BILINEAR)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def table(header: list, rows: list[list], classes: list[str] | None = None) -> str:
    """An HTML table; classes (one per row) mark rows such as the config keys that differ."""
    head = "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>"
    body = "".join((f"<tr class='{esc(c)}'>" if c else "<tr>") + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>"
                   for row, c in zip(rows, classes or [""] * len(rows)))
    return f"<table>{head}{body}</table>"


def chart(title: str, lines: dict[str, list[tuple[float, float]]], colors: dict[str, str],
          width: int = 360, height: int = 200) -> str:
    """An SVG line chart of several runs' (step, value) series on one pair of axes."""
    points = [p for series in lines.values() for p in series if math.isfinite(p[1])]
    if not points:
        return ""
    x0, x1 = min(p[0] for p in points), max(p[0] for p in points)
    y0, y1 = min(p[1] for p in points), max(p[1] for p in points)
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    left, right, top, bottom = 48, 8, 20, 22

    def px(x, y):
        return (left + (x - x0) / (x1 - x0) * (width - left - right),
                top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom))
    parts = [f"<svg class='chart' width='{width}' height='{height}' xmlns='http://www.w3.org/2000/svg'>",
             f"<text x='{left}' y='14' font-size='12'>{esc(title)}</text>",
             f"<line x1='{left}' y1='{height - bottom}' x2='{width - right}' y2='{height - bottom}' stroke='#999'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{height - bottom}' stroke='#999'/>"]
    for value, y in ((y1, top + 4), (y0, height - bottom)):
        parts.append(f"<text x='{left - 4}' y='{y}' font-size='10' text-anchor='end'>{fmt(float(value))}</text>")
    for value, anchor in ((x0, "start"), (x1, "end")):
        x = left if anchor == "start" else width - right
        parts.append(f"<text x='{x}' y='{height - 6}' font-size='10' text-anchor='{anchor}'>{int(value)}</text>")
    for name, series in lines.items():
        coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in (px(x, y) for x, y in series if math.isfinite(y)))
        if coords:
            parts.append(f"<polyline fill='none' stroke='{colors[name]}' stroke-width='1.5' points='{coords}'/>")
    return "".join(parts) + "</svg>"


def page(title: str, body: str) -> str:
    """A whole HTML document."""
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>{body}</body></html>\n")
