"""ADA's transforms against hand-computed cases, its probability p and the heuristic that steers it."""

import math

import torch

from gankit.augment import Augmentation
from gankit.augment.ada import UNIFORMS, ada, adjust

OFF = 0.999  # a gate at or above p: the transform is not applied


def only(column: int, *values: float) -> torch.Tensor:
    """Uniforms that switch on one transform (its gate in `column`, then its values) and no other."""
    u = torch.full((1, UNIFORMS), OFF)
    u[0, column] = 0.0
    u[0, column + 1:column + 1 + len(values)] = torch.tensor(values)
    return u


def image(channels=1, size=8):
    return torch.rand(1, channels, size, size, generator=torch.Generator().manual_seed(3)) * 2 - 1


def test_at_p_zero_every_image_is_returned_exactly():
    x = torch.rand(16, 3, 12, 12) * 2 - 1
    assert torch.equal(ada(x, torch.rand(16, UNIFORMS), torch.tensor(0.0)), x)


def test_the_geometric_transforms_move_pixels_as_hand_computed():
    x, p = image(), torch.tensor(0.5)
    assert torch.allclose(ada(x, only(0, 0.9), p), torch.flip(x, [3]), atol=1e-5)  # x-flip
    assert torch.allclose(ada(x, only(2, 0.3), p), torch.rot90(x, -1, [2, 3]), atol=1e-5)  # a quarter turn
    # an integer translation by +1 column (u = 0.5 + 1 / (2 * 0.125 * 8)): column j shows column j - 1, the
    # border reflected
    moved = ada(x, only(4, 0.5 + 1 / 2, 0.5), p)
    assert torch.allclose(moved[..., 1:], x[..., :-1], atol=1e-5)
    assert torch.allclose(moved[..., 0], x[..., 0], atol=1e-5)


def test_the_colour_transforms_as_hand_computed():
    x, p = image(3), torch.tensor(0.5)
    normal = 0.8413447  # the uniform whose normal quantile is 1
    assert torch.allclose(ada(x, only(18, normal), p), x + 0.2, atol=1e-5)  # brightness + 0.2 * 1
    assert torch.allclose(ada(x, only(20, normal), p), x * 2 ** 0.5, atol=1e-5)  # contrast x 2^0.5
    v = torch.ones(3) / math.sqrt(3)
    flipped = x - 2 * v.view(1, 3, 1, 1) * (x * v.view(1, 3, 1, 1)).sum(1, keepdim=True)
    assert torch.allclose(ada(x, only(22, 0.9), p), flipped, atol=1e-5)  # the luma axis flipped
    grey = x.mean(1, keepdim=True).expand(1, 3, 8, 8)
    assert torch.allclose(ada(grey, only(24, 0.1), p), grey, atol=1e-5)  # hue turns about the grey axis
    assert torch.allclose(ada(grey, only(26, 0.1), p), grey, atol=1e-5)  # saturation leaves grey alone


def test_grey_images_take_the_mean_response_to_a_grey_pixel():
    x, p = image(1), torch.tensor(0.5)
    assert torch.allclose(ada(x, only(22, 0.9), p), -x, atol=1e-5)  # the luma flip inverts grey
    assert torch.allclose(ada(x, only(18, 0.8413447), p), x + 0.2, atol=1e-5)


def test_an_image_is_rotated_with_probability_p_over_its_two_rotations():
    n = 20000
    u = torch.full((n, UNIFORMS), OFF)
    random = torch.rand(n, 4, generator=torch.Generator().manual_seed(0))
    u[:, 9:11], u[:, 13:15] = random[:, :2], random[:, 2:]  # only the two rotations' gates and angles
    x = torch.rand(1, 1, 8, 8).expand(n, 1, 8, 8)
    for p in (0.2, 0.6):
        rotated = (ada(x, u, torch.tensor(p)) != x).flatten(1).any(1).float().mean().item()
        assert abs(rotated - p) < 0.015, (p, rotated)  # each with 1 - sqrt(1 - p): 1 - (1 - p) at all


def test_gradients_reach_the_generator_through_the_pipeline():
    G = torch.nn.Linear(4, 3 * 8 * 8)
    fake = torch.tanh(G(torch.randn(5, 4))).view(5, 3, 8, 8)
    Augmentation("ada").apply(fake, torch.rand(5, UNIFORMS), torch.tensor(1.0)).square().sum().backward()
    assert G.weight.grad.abs().sum() > 0


def test_the_same_uniforms_give_the_same_transform():
    u, x = torch.rand(4, UNIFORMS), torch.rand(4, 3, 8, 8)
    assert torch.equal(ada(x, u, torch.tensor(0.7)), ada(x, u, torch.tensor(0.7)))
    for i in range(4):
        assert torch.allclose(ada(x[i:i + 1], u[i:i + 1], torch.tensor(0.7)), ada(x, u, torch.tensor(0.7))[i:i + 1],
                              atol=1e-6)


def test_p_rises_above_the_target_falls_below_it_and_stays_within_0_and_1():
    p = torch.tensor(0.5)
    adjust(p, torch.tensor(0.9), target=0.6, images=64, kimg=100)
    assert math.isclose(p.item(), 0.5 + 64 / 100_000, rel_tol=1e-6)
    adjust(p, torch.tensor(0.1), target=0.6, images=64, kimg=100)
    adjust(p, torch.tensor(0.1), target=0.6, images=64, kimg=100)
    assert math.isclose(p.item(), 0.5 - 64 / 100_000, rel_tol=1e-6)
    adjust(p, torch.tensor(-1.0), target=0.6, images=10**6, kimg=100)
    assert p.item() == 0.0
    adjust(p, torch.tensor(1.0), target=0.6, images=10**6, kimg=100)
    assert p.item() == 1.0
