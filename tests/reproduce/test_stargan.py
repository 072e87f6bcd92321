import json
import math

from gankit.reproduce import reproduce
from tests.reproduce.tables import assert_tables_render


def test_stargan_tiny_scores_each_target_domain_against_pairwise_cyclegans(tmp_path):
    report = reproduce("stargan", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "grid_stargan.png", "grid_cyclegans.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    saved = json.loads((out / "results.json").read_text())
    results = saved["results"]
    star = results["stargan"]
    assert star["steps"] == 3 and star["n"] == 20
    for key in ("error_per_class", "accuracy_real_per_class", "fid_per_class"):
        assert len(star[key]) == 3 and all(math.isfinite(v) for v in star[key]), key
    assert math.isfinite(star["accuracy"])
    for k, (other, cycle) in enumerate(zip(star["other_domains"], results["cyclegan_per_target"])):
        for scores in (other, cycle):
            for metric in ("accuracy", "accuracy_real", "accuracy_input", "fid"):
                assert math.isfinite(scores[metric]), (k, metric)
    for pair in ("01", "02", "12"):
        assert results[f"cyclegan_{pair}"]["steps"] == 3
    assert results["train_seconds"]["stargan"] > 0 and results["train_seconds"]["cyclegans"] > 0
    assert isinstance(results["torch_version"], str) and results["torch_threads"] >= 1
    assert [row[0] for row in saved["summary"]] == [
        "StarGAN mean target-domain accuracy",
        "mean classification error: StarGAN (every input) / StarGAN (other domains) / CycleGANs / real",
        "training time: StarGAN (1 model) vs CycleGANs (3 models)"]
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 3
    assert "2.12%" in text and "5.99%" in text and "0.45%" in text  # the paper beside ours
