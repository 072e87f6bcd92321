"""Checks that a report's Markdown tables render: every row has as many cells as its header."""

import re

UNESCAPED_BAR = re.compile(r"(?<!\\)\|")
PLACEHOLDER = re.compile(r"\{[a-z_]+(\[|\.|:|\})")  # an f-string field left in plain text, e.g. {sub['n']:,}


def cells(line: str) -> int:
    return len(UNESCAPED_BAR.findall(line)) - 1


def assert_tables_render(markdown: str) -> int:
    """Assert each table's rows split into as many cells as its header, and that no f-string field was left
    unformatted anywhere; return the number of tables."""
    left = PLACEHOLDER.search(markdown)
    assert left is None, f"an unformatted f-string field: {markdown[max(0, left.start() - 60):left.end() + 20]!r}"
    tables, header = 0, None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header, tables = cells(line), tables + 1
        assert cells(line) == header, f"a table row splits into {cells(line)} cells, its header {header}: {line}"
    return tables
