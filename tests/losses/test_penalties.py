import pytest
import torch
from torch import nn

from gankit.losses import clip_weights_, gradient_penalty, r1_penalty
from gankit.losses.penalties import penalty_points


def linear_critic(w):
    D = nn.Linear(len(w), 1)
    with torch.no_grad():
        D.weight.copy_(torch.tensor([w]))
        D.bias.fill_(0.7)
    return lambda x: D(x).squeeze(1), D


def test_gradient_penalty_of_a_linear_critic_is_closed_form():
    # grad_x (w.x + b) = w everywhere, so the penalty is (||w|| - 1)^2 wherever x_hat falls.
    f, _ = linear_critic([3.0, 4.0])
    real, fake = torch.randn(32, 2), torch.randn(32, 2)
    gp = gradient_penalty(f, real, fake, penalty_points(len(real), real, torch.Generator().manual_seed(0)))
    assert gp.item() == pytest.approx((5.0 - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_is_zero_for_a_unit_gradient_and_differentiable():
    f, D = linear_critic([0.6, 0.8])
    gp = gradient_penalty(f, torch.randn(8, 2), torch.randn(8, 2))
    assert gp.item() == pytest.approx(0.0, abs=1e-10)
    f, D = linear_critic([3.0, 4.0])
    gradient_penalty(f, torch.randn(8, 2), torch.randn(8, 2)).backward()
    # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||
    assert torch.allclose(D.weight.grad, torch.tensor([[2 * 4 * 0.6, 2 * 4 * 0.8]]), rtol=1e-5)


def test_gradient_penalty_uses_points_between_real_and_fake():
    seen = []

    def f(x):
        seen.append(x.detach().clone())
        return (x ** 2).sum(dim=1)

    real, fake = torch.zeros(64, 1), torch.ones(64, 1)
    gradient_penalty(f, real, fake, penalty_points(len(real), real, torch.Generator().manual_seed(1)))
    x_hat = seen[0]
    assert (x_hat >= 0).all() and (x_hat <= 1).all() and x_hat.std() > 0.1


def test_r1_penalty_closed_form():
    f, _ = linear_critic([1.0, 2.0])
    real = torch.randn(5, 2, requires_grad=True)
    assert r1_penalty(f(real), real).item() == pytest.approx(5.0, rel=1e-6)


def test_clip_weights_clamps_every_parameter():
    D = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    with torch.no_grad():
        for p in D.parameters():
            p.normal_(0, 1)
    clip_weights_(D, 0.01)
    assert all(p.abs().max() <= 0.01 for p in D.parameters())
