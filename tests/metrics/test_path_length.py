"""Perceptual path length: the trimmed mean of squared feature steps over eps^2, and `gankit eval --metrics ppl`."""

import math

import torch

from gankit import api
from gankit.metrics.path_length import EPSILON, ppl_from_features
from tests.conftest import FAMILY_CONFIGS
from tests.objectives.test_style_based import config as style_config


def test_ppl_is_the_mean_squared_step_over_eps_squared_without_the_extremes():
    start = torch.zeros(200, 3)
    assert ppl_from_features(start, start) == 0.0
    end = start.clone()
    end[:, 0] = EPSILON * 2  # every step 2 eps long: 4
    end[0, 0], end[1, 0] = EPSILON * 100, 0.0  # one far outlier and one still pair, both trimmed away
    assert math.isclose(ppl_from_features(start, end), 4.0, rel_tol=1e-6)


def test_eval_scores_ppl_in_z_and_in_w(tmp_path):
    dcgan = api.train(FAMILY_CONFIGS["gan"](steps=2), out=tmp_path / "z")
    style = style_config(steps=2)
    style.data.resolution = None  # the 8x8 digits, which the shipped digits classifier reads
    style = api.train(style, out=tmp_path / "w")
    for run in (dcgan, style):
        result = api.evaluate(run, metrics="ppl", n=64)
        assert result["ppl"] > 0 and math.isfinite(result["ppl"]), run
        again = api.evaluate(run, metrics="ppl", n=64)
        assert again["ppl"] == result["ppl"]  # seeded: the same pairs and steps
