import json
import math

from gankit.reproduce import reproduce
from tests.reproduce.tables import assert_tables_render


def test_pix2pix_tiny_trains_both_ablations_scores_them_and_draws_grids(tmp_path):
    report = reproduce("pix2pix", out=tmp_path, scale="tiny")
    out = report.out_dir
    grids = ["grid_l1.png", "grid_cgan.png", "grid_l1_cgan.png", "grid_patch16.png", "grid_patch34.png",
             "grid_patch70.png"]
    for name in ["report.md", "results.json"] + grids:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for key in ("l1", "cgan", "l1_cgan", "patch16", "patch34", "patch70"):
        r = results[key]
        assert r["steps"] == 3 and r["n"] == 20
        for metric in ("l1", "psnr", "ssim", "fid", "accuracy", "accuracy_real", "accuracy_input"):
            assert math.isfinite(r[metric]), (key, metric)
    assert isinstance(results["torch_version"], str) and results["torch_threads"] >= 1
    summary = [row[0] for row in json.loads((out / "results.json").read_text())["summary"]]
    assert summary == ["L1+cGAN class accuracy / accuracy on real garments", "FID, L1+cGAN vs L1 alone",
                       "Table 1 ordering by class accuracy", "Table 3 ordering by class accuracy (32 px)"]
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 3
    assert "0.42 / 0.15 / 0.11" in text and "0.80 / 0.26 / 0.21" in text  # the paper beside ours
    assert "data.resolution=32" in text and ("met" in text)
