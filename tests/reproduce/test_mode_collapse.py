import json
import math

import torch
from torch import nn

from gankit.data import load_dataset
from gankit.config import load_config
from gankit.reproduce import reproduce
from gankit.reproduce.mode_collapse import coverage, one_thread
from tests.reproduce.tables import assert_tables_render


def test_tiny_mode_collapse_writes_report_figures_and_finite_results(tmp_path):
    from PIL import Image
    report = reproduce("mode-collapse", out=tmp_path, scale="tiny")
    text = (report.out_dir / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert "3 standard deviations" in text and "published (GAN rows)" in text and "17.3 modes, 94.8%" in text
    assert "**Against the papers.**" in text and "400,000" in text
    for name in ("snapshots_ring8.png", "curves_ring8.png", "snapshots_grid25.png", "curves_grid25.png"):
        assert name in text
        with Image.open(report.out_dir / name) as image:
            assert image.size[0] > 200 and image.size[1] > 200
    results = json.loads((report.out_dir / "results.json").read_text())["results"]
    for dataset, total in (("ring8", 8), ("grid25", 25)):
        for objective in ("minimax", "non-saturating", "WGAN (clip)", "WGAN-GP"):
            key = f"{dataset}.{objective}"
            reached, recovered = results[f"{key}.final_modes_reached"], results[f"{key}.final_modes_recovered"]
            share = results[f"{key}.final_high_quality_share"]
            assert len(reached) == 1 and 0 <= reached[0] <= recovered[0] <= total
            assert all(0.0 <= s <= 1.0 for s in share)
            assert results[f"{key}.curve_steps"] == [0, 10, 20]
            assert math.isfinite(results[f"{key}.ms_per_step"])
    assert math.isfinite(results["wall_seconds"]) and len(report.summary) == 8


class _Fixed(nn.Module):
    """A 'generator' that returns given points whatever the noise."""

    def __init__(self, points):
        super().__init__()
        self.points = points

    def forward(self, z):
        return self.points[: len(z)]


def test_coverage_counts_samples_on_modes_and_restores_training_mode():
    data = load_dataset(load_config("ring8_gan").data)
    on_modes = data.modes.repeat(25, 1)                    # 200 samples, 25 on each mode
    half = torch.cat([on_modes[:100], torch.zeros(100, 2)])  # the centre is 2 away from every mode
    G = _Fixed(half).train()
    cov, fake = coverage(G, torch.zeros(200, 2), data)
    assert G.training and fake.shape == (200, 2)
    assert cov["modes_reached"] == 8 and abs(cov["high_quality_share"] - 0.5) < 1e-9
    cov, _ = coverage(_Fixed(torch.zeros(200, 2)), torch.zeros(200, 2), data)
    assert cov["modes_reached"] == 0 and cov["modes_recovered"] == 0 and cov["high_quality_share"] == 0.0


def test_one_sample_recovers_a_mode_but_does_not_reach_it():
    data = load_dataset(load_config("grid25_gan").data)
    points = torch.cat([data.modes[:1].repeat(199, 1), data.modes[1:2]])  # 199 on one mode, 1 on another
    cov, _ = coverage(_Fixed(points), torch.zeros(200, 2), data)
    assert cov["modes_recovered"] == 2 and cov["modes_reached"] == 1


def test_the_grid_protocol_uses_the_papers_networks_for_every_objective():
    from gankit.models import build_models
    from gankit.reproduce.mode_collapse import PROTOCOLS
    for name, (recipe, overrides) in PROTOCOLS["grid25"].items():
        cfg = load_config(recipe, overrides)
        assert cfg.data.mode_std == 0.05 and cfg.train.batch_size == 100, name
        G, D = build_models(cfg.model, (2,))
        assert sum(isinstance(m, nn.BatchNorm1d) for m in G.modules()) == 4, name
        assert [m.out_features for m in G.modules() if isinstance(m, nn.Linear)] == [400] * 4 + [2], name
        assert [m.out_features for m in D.modules() if type(m).__name__ == "Maxout"] == [200] * 3, name


def test_one_thread_restores_the_thread_count():
    before = torch.get_num_threads()
    with one_thread():
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_runs_in_worker_processes_equal_the_runs_in_this_one():
    from gankit.reproduce.mode_collapse import run_jobs
    size = {"steps": {"ring8": 6}, "every": {"ring8": 3}, "n_eval": 200}
    jobs = [("ring8", "non-saturating", 0), ("ring8", "WGAN-GP", 1)]
    here, there = run_jobs(jobs, size, workers=1), run_jobs(jobs, size, workers=2)
    assert here.keys() == there.keys() == set(jobs)
    for job in jobs:
        assert here[job]["steps"] == there[job]["steps"] == [0, 3, 6]
        assert here[job]["modes"] == there[job]["modes"] and here[job]["hq"] == there[job]["hq"]
        for a, b in zip(here[job]["samples"], there[job]["samples"]):
            assert (a == b).all(), job
