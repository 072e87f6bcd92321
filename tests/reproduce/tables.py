"""Checks that a report's Markdown tables render: every row has as many cells as its header."""

import re

UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


def cells(line: str) -> int:
    return len(UNESCAPED_BAR.findall(line)) - 1


def assert_tables_render(markdown: str) -> int:
    """Assert each table's rows split into as many cells as its header; return the number of tables."""
    tables, header = 0, None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        if header is None:
            header, tables = cells(line), tables + 1
        assert cells(line) == header, f"a table row splits into {cells(line)} cells, its header {header}: {line}"
    return tables
