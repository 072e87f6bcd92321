import json

from gankit.reproduce import reproduce
from tests.reproduce.test_table1 import mnist_format_folder
from tests.reproduce.tables import assert_tables_render


def test_cgan_tiny_scores_both_gans_with_the_parzen_protocol_and_draws_a_row_per_class(tmp_path):
    report = reproduce("cgan", out=tmp_path / "out", scale="tiny", data=mnist_format_folder(tmp_path / "mine"))
    out = report.out_dir
    for name in ("report.md", "results.json", "samples_by_class.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for recipe in ("cgan_mnist", "maxout_mnist"):
        assert isinstance(results[f"{recipe}_parzen_mean"], float)
        assert [step for step, _ in results[f"{recipe}_curve"]] == [0, 2, 4]
    assert results["label_accuracy"] is None  # user IDX files: no domain classifier for them
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert "132 +/- 1.8" in text and "225 +/- 2" in text and "not comparable" in text
