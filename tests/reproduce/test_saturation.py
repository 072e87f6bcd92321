import json
import math

import torch

from gankit.reproduce import reproduce
from gankit.reproduce.saturation import _grad_norm


def test_grad_norm_is_the_total_l2_norm():
    layer = torch.nn.Linear(2, 1)
    layer.weight.grad = torch.tensor([[3.0, 0.0]])
    layer.bias.grad = torch.tensor([4.0])
    assert _grad_norm(layer) == 5.0


def test_saturation_tiny_writes_report_figure_and_finite_numbers(tmp_path):
    report = reproduce("saturation", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "saturation.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for task in ("toy", "image"):
        for loss in ("minimax", "nonsaturating"):
            for key in ("median_grad_norm_early", "median_grad_norm_all", "median_d_fake_early",
                        "metric_start", "metric_end", "metric_best"):
                value = results[f"{task}_{loss}_{key}"]
                assert isinstance(value, float) and math.isfinite(value), (task, loss, key, value)
            assert results[f"{task}_{loss}_median_grad_norm_early"] > 0
        # Same seed and same warm-up: both losses start from the same G, so the same metric.
        assert results[f"{task}_minimax_metric_start"] == results[f"{task}_nonsaturating_metric_start"]
        assert math.isfinite(results[f"{task}_grad_norm_ratio_early"])
    assert "saturation.png" in (out / "report.md").read_text() and len(report.summary) == 6
