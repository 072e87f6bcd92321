import json
import math

from gankit.reproduce import reproduce
from tests.reproduce.tables import assert_tables_render


def test_cyclegan_tiny_scores_both_ways_and_unpaired_against_paired_edges(tmp_path):
    report = reproduce("cyclegan", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "grid_sandal2sneaker.png", "grid_cyclegan_edges.png",
                 "grid_pix2pix_edges.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    saved = json.loads((out / "results.json").read_text())
    results = saved["results"]
    shoes = results["sandal2sneaker"]
    for way in ("AtoB", "BtoA"):
        for metric in ("accuracy", "accuracy_real", "accuracy_input", "fid", "cycle"):
            assert math.isfinite(shoes[f"{metric}_{way}"]), (metric, way)
    for key, metrics in (("cyclegan_edges", ("accuracy_AtoB", "AtoB_l1", "AtoB_psnr", "AtoB_ssim", "fid_AtoB")),
                         ("pix2pix_edges", ("accuracy", "l1", "psnr", "ssim", "fid"))):
        assert results[key]["steps"] == 3
        for metric in metrics:
            assert math.isfinite(results[key][metric]), (key, metric)
    assert isinstance(results["torch_version"], str) and results["torch_threads"] >= 1
    assert [row[0] for row in saved["summary"]] == [
        "sandal2sneaker sandal -> sneaker: read as the target class",
        "sandal2sneaker sneaker -> sandal: read as the target class",
        "edges -> garment class accuracy, CycleGAN (unpaired) vs pix2pix (paired)",
        "edges -> garment L1 to the true garment, CycleGAN vs pix2pix"]
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 3
    assert "0.52 / 0.17 / 0.11" in text and "0.71 / 0.25 / 0.18" in text  # the paper beside ours
