"""The Gumbel-softmax family: the relaxation's gradient reaches G, beta anneals over the steps configured,
RSGAN's loss by hand, and resume bit for bit across the MLE / adversarial boundary."""

import math

import pytest
import torch
import torch.nn.functional as F

from gankit.data import load_dataset
from gankit.objectives import gumbel
from gankit.train.session import advance, start_session
from tests.conftest import assert_resume_bit_exact, options_session, tiny_gumbel_config


def session(steps=4, **options):
    return options_session(tiny_gumbel_config(steps=steps), **options)


def test_the_relaxation_carries_ds_gradient_to_every_part_of_g():
    s, _ = session()
    G, D = s.nets["G"], s.nets["D"]
    tokens, relaxed = G.gumbel_sample(4, beta=5.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(relaxed.argmax(-1), tokens)  # the relaxed vectors peak at the drawn tokens
    assert torch.allclose(relaxed.sum(-1), torch.ones(4, 10))
    D(relaxed).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in G.parameters())


def test_gumbel_max_draws_follow_gs_distribution():
    s, _ = session()
    G = s.nets["G"]
    tokens, _ = G.gumbel_sample(20000, beta=1.0, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        first = F.softmax(G(torch.zeros(1, 10, dtype=torch.int64))[0, 0], -1)
    counts = torch.bincount(tokens[:, 0], minlength=first.numel()).float() / 20000
    assert torch.allclose(counts, first, atol=0.015)


@pytest.mark.parametrize("anneal", ["exp", "linear"])
def test_beta_rises_from_one_to_beta_max_on_the_last_configured_step(anneal):
    s, _ = session(steps=12, mle_steps=2, anneal_steps=0, beta_max=100.0, anneal=anneal)
    s.parts.counters["anneal_steps"] = 10  # what build records for anneal_steps=0: train.steps - mle_steps
    betas = [gumbel.beta(s.parts, step) for step in range(12)]
    assert betas[:3] == [1.0, 1.0, 1.0] and betas[-1] == pytest.approx(100.0)
    assert all(a <= b for a, b in zip(betas, betas[1:]))
    middle = betas[2 + 9 // 2]  # halfway: 10 ** 1 for exp, 50.5 for linear at share 4/9
    assert middle == pytest.approx(100 ** (4 / 9) if anneal == "exp" else 1 + 99 * 4 / 9)


def test_a_run_records_its_annealing_length_when_it_starts():
    cfg = tiny_gumbel_config(steps=30)
    cfg.options.anneal_steps, cfg.options.mle_steps = 0, 5
    s = start_session(cfg, load_dataset(cfg.data), "cpu")
    assert s.parts.counters["anneal_steps"] == 25


def test_rsgan_loss_by_hand():
    d_real, d_fake = torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0])
    expected = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(1))) / 2
    assert gumbel.relativistic(d_real, d_fake).item() == pytest.approx(expected)


def test_one_adversarial_step_trains_g_and_d_and_reports_beta():
    s, data = session()
    stats = advance(s, data)
    assert {"loss_G", "loss_D", "beta"} <= set(stats) and stats["beta"].item() == 1.0


def test_resume_is_bit_exact_across_the_mle_boundary(tmp_path):
    def make(**train):
        cfg = tiny_gumbel_config(**train)
        cfg.options.mle_steps = 2
        return cfg
    assert_resume_bit_exact(tmp_path, make, steps=3)
