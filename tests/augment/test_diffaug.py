"""DiffAugment's transforms against hand-computed cases, their gradients and their randomness."""

import torch

from gankit.augment import Augmentation
from gankit.augment.diffaug import UNIFORMS, color, cutout, diffaug, translation


def test_translation_moves_whole_pixels_and_brings_in_zeros():
    x = torch.arange(1, 65, dtype=torch.float32).view(1, 1, 8, 8)
    # 8 px: reach 1, shifts -1, 0, 1 from uniforms [0, 1/3), [1/3, 2/3), [2/3, 1)
    down_left = translation(x, torch.tensor([[0.9, 0.1]]))  # rows +1, columns -1
    expected = torch.zeros_like(x)
    expected[..., 1:, :-1] = x[..., :-1, 1:]
    assert torch.equal(down_left, expected)
    assert torch.equal(translation(x, torch.tensor([[0.5, 0.5]])), x)


def test_cutout_zeroes_a_square_of_half_the_side_at_the_drawn_centre():
    x = torch.ones(1, 1, 8, 8)
    # size 4; the centre is one of 9 positions, moved back by 2: u = 0.5 -> 4 - 2 = rows 2..5
    out = cutout(x, torch.tensor([[0.5, 0.0]]))
    expected = torch.ones_like(x)
    expected[..., 2:6, 0:2] = 0  # at the left edge the square is partly outside
    assert torch.equal(out, expected)


def test_color_is_brightness_then_saturation_then_contrast():
    x = torch.tensor([0.2, -0.4, 0.6]).view(1, 3, 1, 1).expand(1, 3, 2, 2).clone()
    x[..., 1, 1] = 0.0
    u = torch.tensor([[0.75, 0.25, 0.0]])  # +0.25, saturation x0.5, contrast x0.5
    y = x + 0.25
    y = (y - y.mean(1, keepdim=True)) * 0.5 + y.mean(1, keepdim=True)
    y = (y - y.mean()) * 0.5 + y.mean()
    assert torch.allclose(color(x, u), y)


def test_the_same_uniforms_give_the_same_transform_and_each_image_its_own():
    g = torch.Generator().manual_seed(0)
    x, u = torch.rand(6, 3, 16, 16, generator=g) * 2 - 1, torch.rand(6, UNIFORMS, generator=g)
    out = diffaug(x, u)
    assert torch.equal(diffaug(x, u), out)
    for i in range(6):  # no image's transform depends on the others
        assert torch.allclose(diffaug(x[i:i + 1], u[i:i + 1]), out[i:i + 1], atol=1e-6)
    # shared uniforms move two different batches alike: the cut-out squares sit in the same places
    ones = diffaug(torch.ones(6, 1, 16, 16), u, ("translation", "cutout"))
    twos = diffaug(torch.full((6, 1, 16, 16), 2.0), u, ("translation", "cutout"))
    assert torch.equal(ones == 0, twos == 0) and (ones == 0).any()


def test_gradients_reach_the_generator_through_every_transform():
    G = torch.nn.Linear(4, 3 * 8 * 8)
    z, u = torch.randn(5, 4), torch.rand(5, UNIFORMS)
    for policy in (("color",), ("translation",), ("cutout",), ("color", "translation", "cutout")):
        G.zero_grad()
        fake = torch.tanh(G(z)).view(5, 3, 8, 8)
        Augmentation("diffaug", policy).apply(fake, u, torch.tensor(0.0)).square().sum().backward()
        assert G.weight.grad.abs().sum() > 0, policy


def test_translation_passes_gradients_to_the_pixels_it_moved_and_none_to_those_it_dropped():
    x = torch.rand(1, 1, 8, 8, requires_grad=True)
    translation(x, torch.tensor([[0.9, 0.5]])).sum().backward()  # down by one row
    expected = torch.ones(1, 1, 8, 8)
    expected[..., -1, :] = 0
    assert torch.equal(x.grad, expected)
