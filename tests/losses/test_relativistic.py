"""The relativistic average GAN's loss: its value, and a gradient that is the full one, through the means."""

import torch
import torch.nn.functional as F

from gankit.losses.relativistic import relativistic_average


class OneProcess:
    """The step context's gather in one process: the tensor itself."""

    @staticmethod
    def gather(x):
        return x


def naive(up, down):
    return 0.5 * (F.softplus(-(up - down.mean())).mean() + F.softplus(down - up.mean()).mean())


def test_value_and_gradient_equal_the_formula_differentiated_through_the_means():
    g = torch.Generator().manual_seed(0)
    up, down = torch.randn(6, generator=g, requires_grad=True), torch.randn(6, generator=g, requires_grad=True)
    loss = relativistic_average(up, down, OneProcess())
    grads = torch.autograd.grad(loss, (up, down))
    up2, down2 = up.detach().clone().requires_grad_(), down.detach().clone().requires_grad_()
    expected = naive(up2, down2)
    expected_grads = torch.autograd.grad(expected, (up2, down2))
    assert torch.allclose(loss, expected)
    for got, want in zip(grads, expected_grads):
        assert torch.allclose(got, want, atol=1e-7)


def test_it_falls_as_up_pulls_ahead_of_down():
    low = relativistic_average(torch.full((4,), 3.0), torch.zeros(4), OneProcess())
    high = relativistic_average(torch.zeros(4), torch.full((4,), 3.0), OneProcess())
    assert low < 0.1 < 1.5 < high
