import json

import pytest

from gankit.viz.curves import plot_curves, read_stats


def test_read_stats_round_trip(tmp_path):
    records = [{"step": 0, "loss_D": 1.5}, {"step": 10, "loss_G": 0.5, "metrics/fid": 12.0}]
    path = tmp_path / "stats.jsonl"
    path.write_text(json.dumps(records[0]) + "\n\n" + json.dumps(records[1]) + "\n")
    assert read_stats(path) == records


def test_malformed_line_names_line_number(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text('{"step": 0}\n\n{"step": 1,\n')
    with pytest.raises(ValueError, match="line 3"):
        read_stats(path)


def test_non_object_line_rejected(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text("[1, 2]\n")
    with pytest.raises(ValueError, match="line 1"):
        read_stats(path)


def test_full_records(tmp_path, png_checks):
    assert_png, assert_no_temp_files = png_checks
    records = [
        {"step": s, "time": 0.1 * s, "loss_D": 1.0, "loss_G": 2.0, "D_real": 0.7,
         "D_fake": 0.3, "penalty": 0.1, "metrics/fid": 50.0 - s, "flag": True}
        for s in range(0, 50, 5)
    ]
    path = plot_curves(records, tmp_path / "plots" / "curves.png")
    width, height = assert_png(path)
    assert width == 800  # 8 inches at dpi 100
    assert height > 800  # a third panel for metrics/fid
    assert_no_temp_files(path.parent)


def test_single_record(tmp_path, png_checks):
    assert_png, _ = png_checks
    assert_png(plot_curves([{"step": 3, "loss_D": 0.5}], tmp_path / "one.png"))


def test_missing_keys_and_unbounded_critic(tmp_path, png_checks):
    assert_png, _ = png_checks
    records = [{"step": 0, "loss_G": 1.0, "D_real": 3.0},
               {"step": 1, "D_fake": -2.0, "loss_D": float("nan")},
               {"step": 2}]
    size = assert_png(plot_curves(records, tmp_path / "gaps.png"))
    assert size == (800, 560)  # two panels only


def test_no_records(tmp_path, png_checks):
    assert_png, _ = png_checks
    assert_png(plot_curves([], tmp_path / "empty.png"))
