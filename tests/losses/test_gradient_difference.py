"""Mathieu et al. 2016's image gradient difference loss, by hand."""

import pytest
import torch

from gankit.losses.gradient_difference import gradient_difference


def test_a_two_by_two_case_by_hand():
    true = torch.tensor([[0.0, 3.0], [1.0, 1.0]])
    pred = torch.tensor([[0.0, 1.0], [0.0, 0.0]])
    # vertical |dY| = |1 - 0|, |1 - 3| = 1, 2 and |dX| = 0, 1: differences 1, 1 (mean 1)
    # horizontal |dY| = |3 - 0|, |1 - 1| = 3, 0 and |dX| = 1, 0: differences 2, 0 (mean 1)
    assert gradient_difference(pred, true).item() == pytest.approx(2.0)
    # alpha = 2: vertical 1, 1 (mean 1); horizontal 4, 0 (mean 2)
    assert gradient_difference(pred, true, alpha=2).item() == pytest.approx(3.0)


def test_it_compares_gradient_magnitudes_not_pixels():
    gen = torch.Generator().manual_seed(0)
    true = torch.rand(2, 3, 1, 6, 6, generator=gen) * 2 - 1  # (B, T, C, H, W), any leading dimensions
    assert gradient_difference(true, true).item() == 0
    assert gradient_difference(true + 0.3, true).item() == pytest.approx(0, abs=1e-6)  # a constant shift
    assert gradient_difference(-true, true).item() == pytest.approx(0, abs=1e-6)       # edges of either sign
    flat = torch.full_like(true, -1.0)  # a black prediction loses every edge of the truth
    edges = (true[..., 1:, :] - true[..., :-1, :]).abs().mean() + (true[..., 1:] - true[..., :-1]).abs().mean()
    assert gradient_difference(flat, true).item() == pytest.approx(edges.item(), rel=1e-6)


def test_it_is_differentiable_and_checks_shapes():
    true = torch.zeros(1, 4, 4)
    true[0, 1:3, 1:3] = 1
    pred = (0.1 * torch.rand(1, 4, 4, generator=torch.Generator().manual_seed(1))).requires_grad_(True)
    gradient_difference(pred, true).backward()
    assert pred.grad.abs().sum() > 0
    with pytest.raises(ValueError):
        gradient_difference(torch.zeros(4, 4), torch.zeros(4, 5))
