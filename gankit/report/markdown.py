"""The Markdown gankit's reproductions write (headings, paragraphs, pipe tables, images, indented or fenced code,
*emphasis*, `code`) as a self-contained HTML page, its images embedded: report.html beside report.md."""

from __future__ import annotations

import re
from pathlib import Path

from gankit.report.html import data_uri, esc, page

IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]+)\)$")


def inline(text: str) -> str:
    """Escaped text with `code` and *emphasis*."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<em>\1</em>", out)


def _cells(line: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def to_html(markdown: str, folder: Path) -> str:
    """The page of a Markdown text whose images are files under folder."""
    blocks, title = [], "gankit report"
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = block.splitlines()
        first = lines[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            text = first[level:].strip()
            title = text if level == 1 and title == "gankit report" else title
            blocks.append(f"<h{min(level, 4)}>{inline(text)}</h{min(level, 4)}>" if level > 1 else "")
            lines = lines[1:]
            if not lines:
                continue
            first = lines[0]
        if all(line.startswith("|") for line in lines) and len(lines) >= 2:
            head, rows = _cells(lines[0]), [_cells(line) for line in lines[2:]]
            blocks.append("<table><tr>" + "".join(f"<th>{inline(h)}</th>" for h in head) + "</tr>" + "".join(
                "<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>")
        elif (match := IMAGE.match(first.strip())) and len(lines) == 1:
            path = folder / match["src"]
            src = data_uri(path) if path.is_file() else esc(match["src"])
            blocks.append(f"<img class='big' src='{src}' alt='{esc(match['alt'])}'>")
        elif all(line.startswith("    ") for line in lines) or first.startswith("```"):
            code = [line[4:] if line.startswith("    ") else line for line in lines if not line.startswith("```")]
            blocks.append(f"<pre>{esc(chr(10).join(code))}</pre>")
        else:
            blocks.append(f"<p>{inline(' '.join(line.strip() for line in lines))}</p>")
    return page(title, "".join(blocks))
