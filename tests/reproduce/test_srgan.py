import json

import pytest

from gankit.reproduce import reproduce


def test_srgan_tiny_trains_four_models_scores_them_beside_bicubic_and_traces_the_interpolation(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    report = reproduce("srgan", out=tmp_path, scale="tiny")
    out = report.out_dir
    kept = {p.name for p in (out / "progress").iterdir()}  # each training's checkpoint, for --resume
    assert kept >= {"feature", "gan", "gan_no_feature", "psnr"}, kept
    for name in ("report.md", "results.json", "perception_distortion.png", "outputs.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for model in ("bicubic", "psnr", "gan", "feature", "gan_no_feature"):
        assert results[f"{model}.psnr"] > 0 and results[f"{model}.fid"] > 0 and 0 <= results[f"{model}.accuracy"] <= 1
    # the interpolation's ends are the two models themselves
    assert results["interpolation.0.psnr"] == pytest.approx(results["psnr.psnr"])
    assert results["interpolation.1.fid"] == pytest.approx(results["gan.fid"])
    assert results["gan_psnr_drop_db"] == pytest.approx(results["psnr.psnr"] - results["gan.psnr"])
    assert "3.01 dB" in (out / "report.md").read_text()
