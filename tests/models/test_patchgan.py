"""The PatchGAN: receptive fields computed and measured, output maps at small sizes, layer plan."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.patchgan import (PatchDiscriminator, max_patch_layers, patch_layer_plan, patch_output_size,
                                    receptive_field)


@pytest.mark.parametrize("n_layers, field", [(0, 1), (1, 16), (2, 34), (3, 70), (4, 142)])
def test_receptive_field_from_the_layer_plan(n_layers, field):
    assert receptive_field(n_layers) == field


@pytest.mark.parametrize("n_layers", [0, 1, 2, 3])
def test_receptive_field_measured(n_layers):
    """The input region one central logit's gradient touches is receptive_field(n) pixels on a side."""
    size = 160
    D = PatchDiscriminator(2, width=4, n_layers=n_layers, norm="none").double().eval()
    x = torch.randn(1, 2, size, size, dtype=torch.double, requires_grad=True)
    logits = D(x)  # (1, 1, h, w)
    h, w = logits.shape[-2:]
    logits[0, 0, h // 2, w // 2].backward()
    touched = x.grad[0].abs().sum(0) > 0  # (size, size)
    rows = touched.any(1).nonzero().flatten()
    cols = touched.any(0).nonzero().flatten()
    for idx in (rows, cols):
        assert 0 < idx.min() and idx.max() < size - 1  # well inside: the border did not clip it
        assert idx.max() - idx.min() + 1 == receptive_field(n_layers)
    assert touched.sum() == receptive_field(n_layers) ** 2


@pytest.mark.parametrize("size, sides, most", [(28, [28, 12, 5, 1], 2), (32, [32, 14, 6, 2], 3),
                                               (16, [16, 6, 2, 0], 2), (64, [64, 30, 14, 6], 4),
                                               (256, [256, 126, 62, 30], 6)])
def test_output_sides_and_the_most_layers(size, sides, most):
    assert [patch_output_size(size, n) for n in range(4)] == sides
    assert max_patch_layers(size) == most
    for n in range(min(most, 3) + 1):
        assert PatchDiscriminator(1, 4, n)(torch.randn(2, 1, size, size)).shape == (2, 1, sides[n], sides[n])


def test_three_layers_refused_at_28px():
    D = PatchDiscriminator(3, 4, 3)
    with pytest.raises(GankitError, match="n_layers=3 .* 28x28 inputs; use n_layers <= 2 for 28 px"):
        D(torch.randn(1, 3, 28, 28))
    assert D(torch.randn(1, 3, 32, 32)).shape == (1, 1, 2, 2)


def test_layers_follow_the_reference():
    D = PatchDiscriminator(6, width=64, n_layers=3)
    convs = [m for m in D.modules() if isinstance(m, nn.Conv2d)]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0], c.padding[0]) for c in convs] == [
        (64, 4, 2, 1), (128, 4, 2, 1), (256, 4, 2, 1), (512, 4, 1, 1), (1, 4, 1, 1)]
    layers = list(D.body)
    assert isinstance(layers[1], nn.Identity)  # C64 has no norm
    assert sum(isinstance(m, nn.BatchNorm2d) for m in layers) == 3
    assert all(m.negative_slope == 0.2 for m in layers if isinstance(m, nn.LeakyReLU))


def test_width_cap_and_pixelgan():
    assert [s.out_channels for s in patch_layer_plan(5, 64, 512)] == [64, 128, 256, 512, 512, 512, 1]
    assert [s.kernel for s in patch_layer_plan(0)] == [1, 1, 1]
    with pytest.raises(GankitError, match="n_layers >= 0"):
        PatchDiscriminator(3, n_layers=-1)


@pytest.mark.parametrize("norm, cls", [("instance", nn.InstanceNorm2d), ("none", None)])
def test_norms(norm, cls):
    D = PatchDiscriminator(3, 4, 2, norm=norm)
    norms = [m for m in D.modules() if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d))]
    assert len(norms) == (0 if cls is None else 2) and all(isinstance(m, cls) for m in norms)
    convs = [m for m in D.modules() if isinstance(m, nn.Conv2d)]
    assert sum(c.bias is not None for c in convs) == (4 if cls is None else 2)
