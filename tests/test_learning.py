"""Learning tests: short real training runs whose metrics must move the right way."""

import pytest
import torch
from scipy.stats import wasserstein_distance

from gankit import api
from gankit.config import load_config
from gankit.data import load_dataset
from gankit.metrics import mode_coverage

pytestmark = pytest.mark.slow


def _samples(run_dir, n=4000):
    return api.sample(run_dir, n=n, seed=123).reshape(n, -1)


def test_generator_learns_the_1d_gaussian(tmp_path):
    quiet = ["train.progress=false", "train.sample_every=100000", "train.log_every=100"]
    start = api.train("gaussian1d_fig1", out=tmp_path, overrides=quiet + ["train.steps=1"])
    end = api.train("gaussian1d_fig1", out=tmp_path, overrides=quiet)  # the whole recipe
    data = load_dataset(load_config("gaussian1d_fig1").data)
    real = data.sample(4000, torch.Generator().manual_seed(7))[0][:, 0]
    w1_start = wasserstein_distance(_samples(start)[:, 0].numpy(), real.numpy())
    fake = _samples(end)[:, 0]
    w1_end = wasserstein_distance(fake.numpy(), real.numpy())
    assert w1_end < 0.15 * w1_start, (w1_start, w1_end)
    assert abs(fake.mean().item() - 4.0) < 0.15
    assert abs(fake.std().item() - 0.5) < 0.15


def test_wgan_gp_reaches_most_modes_of_the_ring(tmp_path):
    run = api.train("ring8_wgangp", out=tmp_path,
                    overrides=["train.progress=false", "train.steps=1500", "train.sample_every=100000"])
    data = load_dataset(load_config("ring8_wgangp").data)
    result = mode_coverage(_samples(run, 2500), data.modes, std=0.02, sigmas=5.0)
    start = mode_coverage(_samples(api.train("ring8_wgangp", out=tmp_path, overrides=[
        "train.progress=false", "train.steps=1"]), 2500), data.modes, std=0.02, sigmas=5.0)
    assert result["modes_reached"] >= 6, result
    assert result["high_quality_share"] > start["high_quality_share"] + 0.2, (start, result)
