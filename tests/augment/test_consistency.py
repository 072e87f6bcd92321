"""bCR (loss.bcr_weight): the transform flips and shifts, the term is D's squared change of logit on real and fake
images, it reaches D's loss alone (G's is unchanged), and training with it resumes bit for bit."""

import copy

import pytest
import torch

from gankit.augment.consistency import consistency_term, consistency_transform
from gankit.data import load_dataset
from gankit.train.session import advance, start_session
from tests.conftest import FAMILY_CONFIGS, assert_resume_bit_exact


def test_the_transform_flips_where_asked_and_shifts_by_whole_pixels():
    x = torch.arange(2 * 1 * 8 * 8, dtype=torch.float).view(2, 1, 8, 8)
    still = torch.tensor([[0.9, 0.5, 0.5], [0.1, 0.5, 0.5]])  # no shift; the second image flips
    out = consistency_transform(x, still)
    assert torch.equal(out[0], x[0]) and torch.equal(out[1], x[1].flip(2))
    down = consistency_transform(x, torch.tensor([[0.9, 0.99, 0.5], [0.9, 0.5, 0.0]]))  # reach 1 px at 8 px
    assert torch.equal(down[0, 0, 1:], x[0, 0, :-1]) and torch.equal(down[0, 0, 0], -torch.ones(8))
    assert torch.equal(down[1, 0, :, :-1], x[1, 0, :, 1:]) and torch.equal(down[1, 0, :, -1], -torch.ones(8))


def test_the_term_is_the_mean_squared_change_of_ds_logit():
    x = torch.randn(4, 1, 8, 8)
    u = torch.rand(4, 3)
    w = torch.randn(64, requires_grad=True)

    def d(images):
        return images.flatten(1) @ w

    logits = d(x)
    term = consistency_term(d, x, logits, u)
    assert torch.allclose(term, (logits - d(consistency_transform(x, u))).square().mean())
    term.backward()
    assert w.grad.abs().sum() > 0  # it trains D


@pytest.mark.parametrize("family", ["gan", "conditional"])
def test_bcr_enters_ds_loss_only_and_is_logged(family):
    cfg = FAMILY_CONFIGS[family]()
    cfg.loss.bcr_weight = 10.0
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    plain_cfg = FAMILY_CONFIGS[family]()
    plain = start_session(plain_cfg, data, "cpu")
    d_before = copy.deepcopy(s.nets["D"].state_dict())
    assert all(torch.equal(v, plain.nets["D"].state_dict()[k]) for k, v in d_before.items())
    stats, plain_stats = advance(s, data), advance(plain, data)
    assert stats["consistency"] > 0 and "consistency" not in plain_stats
    assert stats["loss_D"] == plain_stats["loss_D"]  # the same adversarial loss on the same batch, before the term
    moved = [k for k, v in s.nets["D"].state_dict().items() if not torch.equal(v, plain.nets["D"].state_dict()[k])]
    assert moved  # the term changed D's update
    assert "consistency" in s.t.generators


def test_training_with_bcr_resumes_bit_for_bit(tmp_path):
    def config(**train):
        cfg = FAMILY_CONFIGS["gan"](**train)
        cfg.loss.bcr_weight = 10.0
        return cfg

    final = assert_resume_bit_exact(tmp_path, config, steps=2)
    assert "rng.consistency" in final

