"""Each loss against values computed by hand from D's probabilities."""

import math

import pytest
import torch

from gankit.losses import LOSSES

LOGIT_REAL = torch.tensor([math.log(3.0), 0.0])   # D(x) = 3/4 and 1/2
LOGIT_FAKE = torch.tensor([-math.log(3.0), 0.0])  # D(G(z)) = 1/4 and 1/2


def test_bce_d_loss_is_the_negated_value_of_the_game():
    expected = -(math.log(0.75) + math.log(0.5)) / 2 - (math.log(1 - 0.25) + math.log(1 - 0.5)) / 2
    for name in ("minimax", "nonsaturating"):
        assert LOSSES[name].d(LOGIT_REAL, LOGIT_FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_minimax_g_loss_is_log_one_minus_d():
    expected = (math.log(1 - 0.25) + math.log(1 - 0.5)) / 2
    assert LOSSES["minimax"].g(LOGIT_FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_nonsaturating_g_loss_is_minus_log_d():
    expected = -(math.log(0.25) + math.log(0.5)) / 2
    assert LOSSES["nonsaturating"].g(LOGIT_FAKE).item() == pytest.approx(expected, rel=1e-6)


def test_minimax_saturates_where_nonsaturating_does_not():
    # D rejects the fake confidently: the minimax gradient vanishes, the heuristic's does not.
    logit = torch.tensor([-8.0], requires_grad=True)
    (g_mm,) = torch.autograd.grad(LOSSES["minimax"].g(logit), logit)
    (g_ns,) = torch.autograd.grad(LOSSES["nonsaturating"].g(logit), logit)
    assert abs(g_mm.item()) < 1e-3 < 0.99 < abs(g_ns.item())
    assert g_mm.item() < 0 and g_ns.item() < 0  # both push D(G(z)) up


def test_wasserstein():
    real, fake = torch.tensor([1.0, 3.0]), torch.tensor([-2.0, 0.0])
    assert LOSSES["wasserstein"].d(real, fake).item() == pytest.approx(-1.0 - 2.0)
    assert LOSSES["wasserstein"].g(fake).item() == pytest.approx(1.0)


def test_hinge():
    real, fake = torch.tensor([0.5, 2.0]), torch.tensor([-2.0, 0.5])
    # relu(1 - 0.5) = 0.5, relu(1 - 2) = 0 ; relu(1 - 2) = 0, relu(1 + 0.5) = 1.5
    assert LOSSES["hinge"].d(real, fake).item() == pytest.approx(0.25 + 0.75)
    assert LOSSES["hinge"].g(fake).item() == pytest.approx(0.75)


def test_lsgan():
    real, fake = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 2.0])
    assert LOSSES["lsgan"].d(real, fake).item() == pytest.approx(0.5 * 0.5 + 0.5 * 2.0)
    assert LOSSES["lsgan"].g(fake).item() == pytest.approx(0.5 * (1.0 + 1.0) / 2)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_d_loss_rewards_telling_real_from_fake(name):
    loss = LOSSES[name]
    good = loss.d(torch.tensor([3.0]), torch.tensor([-3.0])).item()
    bad = loss.d(torch.tensor([-3.0]), torch.tensor([3.0])).item()
    assert good < bad
    assert loss.g(torch.tensor([3.0])).item() < loss.g(torch.tensor([-3.0])).item()
