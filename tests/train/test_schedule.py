import math

import pytest
import torch

from gankit import api
from gankit.config import OptimConfig, from_dict, validate
from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt
from gankit.train.schedule import apply_schedule, scheduled
from tests.conftest import tiny_toy_config


def sgd(**kw) -> OptimConfig:
    return OptimConfig(name="sgd", lr=0.1, momentum=0.5, **kw)


def test_unscheduled_config_keeps_its_lr_and_momentum():
    assert scheduled(sgd(), 10_000) == (0.1, 0.5)


def test_lr_decays_geometrically_and_stops_at_min_lr():
    cfg = sgd(lr_decay=1.000004, min_lr=1e-6)
    assert scheduled(cfg, 0)[0] == 0.1
    assert scheduled(cfg, 125_000)[0] == pytest.approx(0.1 / 1.000004 ** 125_000)
    assert scheduled(cfg, 125_000)[0] == pytest.approx(0.1 * math.exp(-0.5), rel=1e-5)
    assert scheduled(cfg, 10_000_000)[0] == 1e-6


def test_momentum_ramps_linearly_between_the_ramp_steps():
    cfg = sgd(final_momentum=0.7, momentum_ramp=[500, 1500])
    assert [round(scheduled(cfg, s)[1], 6) for s in (0, 500, 1000, 1500, 9999)] == [0.5, 0.5, 0.6, 0.7, 0.7]


def test_linear_decay_is_constant_then_falls_linearly_to_zero():
    cfg = OptimConfig(lr=2e-4, linear_decay=[100, 200])
    assert [scheduled(cfg, s)[0] for s in (0, 100, 150, 200, 300)] == pytest.approx([2e-4, 2e-4, 1e-4, 0.0, 0.0])


@pytest.mark.parametrize("decay, message", [([200, 100], "give \\[start, end\\] G steps"),
                                            ([5], "give \\[start, end\\] G steps")])
def test_a_bad_linear_decay_is_one_sentence(decay, message):
    with pytest.raises(GankitError, match=message):
        validate(from_dict({"g_optim": {"linear_decay": decay}}))


def test_linear_decay_and_lr_decay_together_are_refused():
    with pytest.raises(GankitError, match="two schedules for one learning rate"):
        validate(from_dict({"d_optim": {"linear_decay": [1, 2], "lr_decay": 1.0001}}))


def test_apply_schedule_sets_every_group():
    params = [torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(3))]
    opt = torch.optim.SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1, momentum=0.5)
    apply_schedule(opt, sgd(lr_decay=2.0, final_momentum=0.7, momentum_ramp=[0, 2]), 1)
    assert [(g["lr"], g["momentum"]) for g in opt.param_groups] == [(0.05, pytest.approx(0.6))] * 2


def scheduled_toy(**train):
    cfg = tiny_toy_config(**train)
    for opt in (cfg.g_optim, cfg.d_optim):
        opt.name, opt.lr, opt.momentum = "sgd", 0.01, 0.5
        opt.lr_decay, opt.final_momentum, opt.momentum_ramp = 1.5, 0.9, [1, 4]
    return cfg


def test_training_uses_the_schedule_and_resumes_bit_exact(tmp_path):
    straight = api.train(scheduled_toy(steps=6, checkpoint_every=3), out=tmp_path / "a")
    half = api.train(scheduled_toy(steps=3, checkpoint_every=3), out=tmp_path / "b")
    api.train("ignored", out=tmp_path / "b", overrides=["train.steps=6"], resume=half)
    (a, meta), (b, _) = [ckpt.load_checkpoint(ckpt.list_checkpoints(run / "checkpoints")[-1])
                         for run in (straight, half)]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    group = meta["optimizers"]["G"]["param_groups"][0]
    # The last update (after 5 completed steps) used lr 0.01 / 1.5^5 and the ramp's final momentum.
    assert group["lr"] == pytest.approx(0.01 / 1.5 ** 5) and group["momentum"] == pytest.approx(0.9)


def test_config_rejects_a_momentum_ramp_for_adam_and_a_bad_ramp():
    with pytest.raises(GankitError, match="g_optim.final_momentum' needs g_optim.name=sgd or rmsprop"):
        validate(from_dict({"g_optim": {"final_momentum": 0.7}}))
    with pytest.raises(GankitError, match=r"d_optim.momentum_ramp' is \[9, 3\]"):
        validate(from_dict({"d_optim": {"name": "sgd", "momentum_ramp": [9, 3]}}))
    with pytest.raises(GankitError, match="g_optim.lr_decay' is 0.5; it must be >= 1"):
        validate(from_dict({"g_optim": {"lr_decay": 0.5}}))
