import json

import pytest

from gankit.errors import GankitError
from gankit.reproduce import reproduce
from gankit.reproduce.report import Report
from tests.reproduce.tables import assert_tables_render


def test_report_writes_markdown_with_figures_and_json(tmp_path):
    from PIL import Image
    report = Report(tmp_path / "r", "demo", "A demo", "tiny")
    Image.new("L", (4, 4)).save(tmp_path / "r" / "fig.png")
    report.text("Some words.")
    report.figure(tmp_path / "r" / "fig.png", "a figure")
    report.table([{"a": 1.23456, "b": "x"}, {"a": None, "b": "y"}])
    report.measure("value", float("nan"))
    report.measure("nested", {"k": (1, 2)})
    report.claim("D(x)", "0.50", "1/2")
    md, js = report.save()
    text = md.read_text()
    assert text.startswith("# A demo") and "![a figure](fig.png)" in text and "| 1.235 | x |" in text
    assert "| D(x) | 0.50 | 1/2 |" in text
    saved = json.loads(js.read_text())
    assert saved["results"] == {"value": None, "nested": {"k": [1, 2]}} and saved["scale"] == "tiny"
    assert "D(x)" in report.summary_table()


def test_a_vertical_bar_in_a_cell_is_escaped_and_tables_still_render(tmp_path):
    report = Report(tmp_path / "r", "demo", "A demo", "tiny")
    report.table([{"quantity": "|D(x) - 1/2|", "value": 0.01}])
    report.claim("max |D - D*|", "0.03", "< 0.05 | exact")
    text = report.save()[0].read_text()
    assert "\\|D(x) - 1/2\\|" in text and assert_tables_render(text) == 2


def test_unknown_experiment_is_a_clear_error(tmp_path):
    with pytest.raises(GankitError, match="no experiment named 'nope'"):
        reproduce("nope", out=tmp_path)


def test_report_html_beside_report_md_embeds_the_figures_and_tables(tmp_path):
    from PIL import Image
    report = Report(tmp_path / "r", "demo", "A demo", "tiny")
    Image.new("L", (4, 4), color=200).save(tmp_path / "r" / "fig.png")
    report.text("Some *words* with `code`.")
    report.figure(tmp_path / "r" / "fig.png", "a figure")
    report.table([{"a": 1.5, "b": "x|y"}])
    report.text("Samples:\n\n    one sentence\n    another")
    report.save()
    page = (tmp_path / "r" / "report.html").read_text()
    assert "<title>A demo</title>" in page and "<em>words</em>" in page and "<code>code</code>" in page
    assert "src='data:image/png;base64," in page and "<td>x|y</td>" in page
    assert "<pre>one sentence\nanother</pre>" in page
