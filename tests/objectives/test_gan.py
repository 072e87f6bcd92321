"""One real D step and one real G step on tiny networks (as mimicry tests do)."""

import copy

import pytest
import torch

from gankit.config import LossConfig, ModelConfig
from gankit.models import build_models
from gankit.objectives import GANObjective, sample_z


def tiny(loss="nonsaturating", penalty="none", d_norm="batch"):
    torch.manual_seed(0)
    G, D = build_models(ModelConfig(name="dcgan", z_dim=4, width=4, d_norm=d_norm), (1, 8, 8))
    obj = GANObjective(G, D, LossConfig(name=loss, penalty=penalty), "normal", torch.Generator().manual_seed(1))
    batch = (torch.rand(6, 1, 8, 8) * 2 - 1, None)
    return G, D, obj, batch


def params(m):
    return [p.detach().clone() for p in m.parameters()]


def changed(before, m):
    return any(not torch.equal(a, b) for a, b in zip(before, m.parameters()))


@pytest.mark.parametrize("loss, penalty", [("nonsaturating", "none"), ("minimax", "r1"),
                                           ("wasserstein", "gp"), ("wasserstein", "clip"), ("hinge", "none")])
def test_d_step_changes_only_d_and_g_step_only_g(loss, penalty):
    G, D, obj, batch = tiny(loss, penalty, d_norm="layer" if penalty == "gp" else "batch")
    opt_D = torch.optim.SGD(D.parameters(), lr=0.1)
    opt_G = torch.optim.SGD(G.parameters(), lr=0.1)
    g0, d0 = params(G), params(D)
    opt_D.zero_grad()
    loss_D, stats = obj.d_loss(batch)
    loss_D.backward()
    opt_D.step()
    obj.after_d_step()
    assert changed(d0, D) and not changed(g0, G)
    assert {"loss_D", "D_real", "D_fake"} <= set(stats)
    assert ("penalty" in stats) == (penalty in ("gp", "r1"))
    d1 = params(D)
    opt_D.zero_grad(set_to_none=True)
    opt_G.zero_grad()
    loss_G, g_stats = obj.g_loss(batch)
    loss_G.backward()
    assert all(p.grad is None for p in D.parameters())
    opt_G.step()
    assert changed(g0, G) and not changed(d1, D)
    assert all(p.requires_grad for p in D.parameters())  # D is unfrozen again


def test_clip_constrains_d_after_its_step():
    G, D, obj, batch = tiny("wasserstein", "clip")
    obj.after_d_step()
    assert max(p.abs().max().item() for p in D.parameters()) <= 0.01


def test_probabilities_are_reported_for_logit_losses_and_raw_values_otherwise():
    _, _, obj, batch = tiny("nonsaturating")
    _, stats = obj.d_loss(batch)
    assert 0 < stats["D_real"] < 1 and 0 < stats["D_fake"] < 1


def test_noise_comes_from_the_objective_generator_only():
    _, _, obj, batch = tiny()
    state = torch.get_rng_state()
    obj.z(5)
    assert torch.equal(state, torch.get_rng_state())


def test_sample_z_distributions():
    g = torch.Generator().manual_seed(0)
    u = sample_z(10000, 3, "uniform", g)
    n = sample_z(10000, 3, "normal", g)
    assert u.min() >= -1 and u.max() <= 1 and abs(u.mean()) < 0.05
    assert abs(n.std() - 1) < 0.05
