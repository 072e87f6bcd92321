import json
import math

from gankit.reproduce import nextframe
from gankit.reproduce.report import Report
from tests.reproduce.tables import assert_tables_render


def test_nextframe_tiny_trains_every_model_scores_both_worlds_and_draws(tmp_path):
    report = Report(tmp_path / "nextframe", "nextframe", nextframe.TITLE, "tiny")
    nextframe.run(report)
    report.save()
    out = report.out_dir
    kept = {p.name for p in (out / "progress").iterdir()}  # each training's checkpoint, for --resume
    assert kept >= {"fork-adversarial", "fork-l2", "fork-l2_gdl", "moving-adversarial"}, kept
    for name in ("report.md", "results.json", "fork.png", "moving_per_frame.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for model in ("l2", "l2_gdl", "adversarial", "adversarial_no_diversity"):
        for metric in ("one_garment_share", "draws_differ_share", "psnr", "sharpness_difference"):
            assert math.isfinite(results[f"fork.{model}.{metric}"]), (model, metric)
        assert f"fork.{model}.branch_balance" in results  # null where no draw showed one garment
    assert results["fork.l2.steps"] == 3 and results["fork.adversarial.steps"] == 6
    for model in ("l2", "l2_gdl", "adversarial"):
        assert len(results[f"moving.{model}.mse_per_frame"]) == 3 and results[f"moving.{model}.ssim"] <= 1
    assert results["wall_seconds"] > 0
    summary = [row[0] for row in json.loads((out / "results.json").read_text())["summary"]]
    assert summary[0] == "fork: GAN predictions showing one garment on a valid branch" and len(summary) == 5
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 3
    assert "28.9" in text and "0.909" in text  # the published numbers beside ours


def test_full_scale_moving_fashion_is_the_benchmarks_protocol_and_the_default_the_cpu_variant():
    full = nextframe.world_config("moving", nextframe.SIZES["full"], [])
    assert (full.data.resolution, full.data.objects, full.data.frames_in, full.data.frames_out) == (64, 2, 10, 10)
    default = nextframe.world_config("moving", nextframe.SIZES["default"], [])
    assert (default.data.resolution, default.data.objects) == (32, 1)
