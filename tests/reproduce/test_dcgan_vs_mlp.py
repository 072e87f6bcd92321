import json
import math

import torch

from gankit.config import load_config
from gankit.data import to_float
from gankit.data import load_dataset
from gankit.metrics.evaluate import split_of
from gankit.reproduce import reproduce
from gankit.reproduce.datasets import image_data
from gankit.reproduce.dcgan_vs_mlp import SIZES, Scorer


def test_scorer_gives_the_test_images_themselves_a_perfect_score(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    choice = image_data(digits_resolution=16)
    data_cfg = load_config("dcgan_fashion", choice.overrides).data
    scorer = Scorer(data_cfg, choice.extractor, n_real=300)
    test = load_dataset(split_of(data_cfg, "test")).images[:300]
    same = scorer.all(to_float(test))
    assert abs(same["fid"]) < 1e-3 and same["precision"] == same["recall"] == 1.0
    assert same["coverage"] == 1.0
    other = scorer.all(torch.rand(300, *test.shape[1:]) * 2 - 1)
    assert other["fid"] > 100 and other["recall"] < 0.5 and other["coverage"] < 0.5


def test_dcgan_tiny_trains_both_for_the_same_time_and_reports(tmp_path):
    report = reproduce("dcgan", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "fid_vs_time.png", "samples_dcgan.png", "samples_mlp.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    budget = SIZES["tiny"]["seconds"]
    for key in ("dcgan", "mlp"):
        curve = results[f"{key}.curve"]
        times = [t for t, _, _ in curve]
        assert len(curve) == SIZES["tiny"]["checks"] + 1 and times == sorted(times) and times[0] == 0
        assert results[f"{key}.train_seconds"] == times[-1] >= budget
        assert results[f"{key}.steps"] == curve[-1][1] > 0
        for metric in ("fid", "kid", "precision", "recall", "density", "coverage"):
            assert math.isfinite(results[f"{key}.{metric}"]), (key, metric)
    assert results["dcgan.g_parameters"] != results["mlp.g_parameters"]
    assert len(report.summary) == 3 and "samples_mlp.png" in (out / "report.md").read_text()
