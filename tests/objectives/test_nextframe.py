"""The next-frame family: recursive prediction, its losses' phases, the sequence D and the fork's scores."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from gankit.config import to_dict, from_dict
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.models.frame_predictor import FramePredictor, SequenceDiscriminator, predictor_depth
from gankit.objectives import EvalRequest
from gankit.objectives.nextframe import FAMILY, score_predictions
from gankit.train.session import advance, build_parts, start_session
from tests.conftest import tiny_nextframe_config


def config(**options):
    tree = to_dict(tiny_nextframe_config())
    tree["nextframe"] |= options
    return from_dict(tree)


class Fibonacci(FramePredictor):
    """A 'G' whose next frame is the sum of its two past frames, recording the noise it was given."""

    def __init__(self):
        super().__init__(frames_in=2, channels=1, size=8, width=1, noise=1)
        self.seen = []

    def forward(self, past, z=None):
        self.seen.append(z)
        return past[:, 0] + past[:, 1]


def test_recursive_prediction_feeds_each_prediction_back_with_the_same_noise():
    G = Fibonacci()
    past = torch.ones(3, 2, 1, 8, 8)
    z = torch.randn(3, 1, 8, 8)
    out = G.predict(past, z, 5)  # windows (1, 1) -> 2, (1, 2) -> 3, (2, 3) -> 5, ...
    assert out.shape == (3, 5, 1, 8, 8)
    assert out[:, :, 0, 0, 0].tolist() == [[2.0, 3.0, 5.0, 8.0, 13.0]] * 3
    assert len(G.seen) == 5 and all(seen is z for seen in G.seen)


def test_the_predictor_starts_as_a_copy_of_the_last_frame_in_range():
    G = FramePredictor(3, 1, 16, width=4, noise=1).eval()
    past = torch.rand(2, 3, 1, 16, 16, generator=torch.Generator().manual_seed(0)) * 2 - 1
    assert torch.allclose(G(past, torch.randn(2, 1, 16, 16)), past[:, -1], atol=1e-5)
    assert [predictor_depth(s) for s in (16, 28, 32, 64)] == [2, 2, 3, 4]
    with pytest.raises(GankitError, match="noise"):
        G(past)


def test_the_sequence_discriminator_judges_each_scale():
    D = SequenceDiscriminator(frames=5, channels=1, size=32, width=4, scales=3)
    assert D(torch.zeros(4, 5, 1, 32, 32)).shape == (4, 3)
    assert len(D.judges) == 3 and D.judges[2].shape == (5, 8, 8)
    with pytest.raises(GankitError, match="nextframe.scales to 2 or less"):
        SequenceDiscriminator(frames=5, channels=1, size=16, width=4, scales=3)


def _step(cfg):
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    before = {name: copy.deepcopy(net.state_dict()) for name, net in s.nets.items()}
    stats = advance(s, data)
    moved = {name for name, net in s.nets.items()
             if any(not torch.equal(before[name][k], v) for k, v in net.state_dict().items())}
    return moved, stats


def test_regression_alone_never_changes_d():
    moved, stats = _step(config(adv_weight=0.0, diversity_weight=0.0))
    assert moved == {"G", "G_ema"}
    assert set(stats) == {"distance", "gdl"}


def test_the_adversarial_step_moves_d_and_reports_each_loss():
    moved, stats = _step(config())
    assert moved == {"G", "G_ema", "D"}
    assert {"loss_D", "D_real", "D_fake", "distance", "gdl", "loss_G", "diversity"} <= set(stats)


def test_train_frames_sizes_d_and_is_checked():
    cfg = config(train_frames=1)
    data = load_dataset(cfg.data)
    parts = build_parts(cfg, data_spec(data), data)
    assert parts.nets["D"].frames == 3 + 1  # the past and one future frame
    with pytest.raises(GankitError, match="nextframe.train_frames=4"):
        build_parts(config(train_frames=4), data_spec(data), data)
    with pytest.raises(GankitError, match="nextframe.noise"):
        build_parts(config(noise=0), data_spec(data), data)  # the tiny config's diversity term needs noise


def data_spec(data):
    from gankit.data import spec_of
    return spec_of(data)


def test_fork_inputs_show_several_draws_of_one_past():
    cfg = config()
    data = load_dataset(cfg.data)
    parts = build_parts(cfg, data_spec(data), data)
    inputs = FAMILY.inputs(parts, 6, torch.Generator().manual_seed(0))
    assert inputs["past"].shape == (6, 3, 1, 16, 16) and inputs["z"].shape == (6, 1, 16, 16)
    assert torch.equal(inputs["past"][0], inputs["past"][2]) and torch.equal(inputs["past"][3], inputs["past"][5])
    assert not torch.equal(inputs["z"][0], inputs["z"][1])
    out = FAMILY.generate(parts, inputs)
    assert out.shape == (6, 3, 1, 16, 16) and out.abs().max() <= 1
    preview = FAMILY.preview(parts, data)
    assert preview["nrow"] == 3 + 3 * (1 + 3) + 1 + 3  # past | 3 draws | future, a grey frame between


def test_frame_spread_noise_is_one_value_per_map_in_inputs_and_in_training():
    cfg = config(noise=2, noise_spread="frame")
    data = load_dataset(cfg.data)
    parts = build_parts(cfg, data_spec(data), data)
    z = FAMILY.inputs(parts, 4, torch.Generator().manual_seed(0))["z"]
    assert z.shape == (4, 2, 16, 16) and torch.equal(z, z[:, :, :1, :1].expand_as(z))
    assert len(torch.unique(z[:, :, 0, 0])) == 8  # a fresh value per sequence and map
    s = start_session(cfg, data, "cpu")
    seen = []
    predict = s.parts.nets["G"].predict
    s.parts.nets["G"].predict = lambda past, noise, frames: seen.append(noise) or predict(past, noise, frames)
    advance(s, data)
    assert seen and all(torch.equal(n, n[:, :, :1, :1].expand_as(n)) for n in seen)
    pixel = FAMILY.inputs(build_parts(config(noise=2), data_spec(data), data), 4, torch.Generator().manual_seed(0))
    assert len(torch.unique(pixel["z"][0, 0])) == 16 * 16


class Oracle(nn.Module):
    """A stand-in G that answers the scorer's pasts, in order, with a given future per past (or per noise)."""

    def __init__(self, answer):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))
        self.answer = answer  # (past, z) -> (N, T, C, H, W)

    def predict(self, past, z, frames):
        return self.answer(past, z)


@pytest.fixture(scope="module")
def fork_run():
    cfg = config()
    cfg.train.ema = 0.0
    data = load_dataset(cfg.data)
    parts = build_parts(cfg, data_spec(data), data)
    test = load_dataset(type(cfg.data)(**{**vars(cfg.data), "split": "test", "limit": None}))
    return parts, test.fixed(20, seed=0)


def _score(parts, answer):
    parts.nets["G"] = Oracle(answer)
    return FAMILY.evaluation.prepare(parts, EvalRequest(groups=("prediction", "fork"), n=20))()


def test_the_regression_optimum_shows_no_single_garment(fork_run):
    parts, fixed = fork_run
    average = fixed["futures"].mean(1)  # (N, T, C, H, W): the L2-optimal prediction, a garment split in half
    result = _score(parts, lambda past, z: average)
    assert result["one_garment_share"] == 0 and result["draws_differ_share"] == 0 and result["draws"] == 8
    assert result["mse"] == pytest.approx(score_predictions(average, fixed["future"])["mse"])


def test_a_sampler_of_both_futures_scores_one_garment_and_balance(fork_run):
    parts, fixed = fork_run
    up, down = fixed["futures"][:, 0], fixed["futures"][:, 1]
    always_up = _score(parts, lambda past, z: up)
    assert always_up["one_garment_share"] == 1 and always_up["branch_balance"] == 1
    assert always_up["draws_differ_share"] == 0
    by_noise = _score(parts, lambda past, z: torch.where((z.mean((1, 2, 3)) > 0)[:, None, None, None, None], up, down))
    assert by_noise["one_garment_share"] == 1 and 0.3 < by_noise["branch_balance"] < 0.7
    assert by_noise["draws_differ_share"] > 0.9  # 8 fair coins per past: 1 - 2^-7 expected
    assert by_noise["mse_frame1"] > 0 and 0 < by_noise["ssim"] < 1
