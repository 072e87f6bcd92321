"""Shared building blocks: output activations, spectral-norm helper, shape checks, image norms, residual block."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import (
    ResidualBlock,
    ScaledSigmoid,
    check_divisible,
    check_image_norm,
    check_shape,
    image_norm,
    maybe_spectral_norm,
    output_activation,
    prod,
)


def test_scaled_sigmoid_range_and_midpoint():
    x = torch.tensor([-100.0, 0.0, 100.0])
    y = ScaledSigmoid()(x)
    assert torch.allclose(y, torch.tensor([-1.0, 0.0, 1.0]))


@pytest.mark.parametrize("kind, cls", [("tanh", nn.Tanh), ("sigmoid", ScaledSigmoid), ("none", nn.Identity)])
def test_output_activation_kinds(kind, cls):
    assert isinstance(output_activation(kind), cls)


def test_output_activation_unknown():
    with pytest.raises(GankitError, match="tanh"):
        output_activation("relu")


def test_maybe_spectral_norm():
    plain = maybe_spectral_norm(nn.Linear(3, 2), False)
    wrapped = maybe_spectral_norm(nn.Linear(3, 2), True)
    assert not hasattr(plain, "parametrizations")
    assert "weight" in wrapped.parametrizations


def test_prod_and_check_shape():
    assert prod((1, 28, 28)) == 784
    assert check_shape([2]) == (2,)
    with pytest.raises(GankitError):
        check_shape(())
    with pytest.raises(GankitError):
        check_shape((0, 4))


def test_image_norms():
    assert isinstance(image_norm("batch", 4), nn.BatchNorm2d)
    inst = image_norm("instance", 4)
    assert isinstance(inst, nn.InstanceNorm2d) and not inst.affine and not inst.track_running_stats
    assert isinstance(image_norm("none", 4), nn.Identity)
    with pytest.raises(GankitError, match="batch, instance, none"):
        check_image_norm("layer")


def test_check_divisible():
    check_divisible(torch.zeros(1, 1, 28, 32), 4, "net")
    with pytest.raises(GankitError, match="the net halves its input 2 times .* multiples of 4 .* got 30x32"):
        check_divisible(torch.zeros(1, 1, 30, 32), 4, "net")
    with pytest.raises(GankitError, match="at least 8"):
        check_divisible(torch.zeros(1, 1, 4, 4), 4, "net", smallest=2)


@pytest.mark.parametrize("reflect", [True, False])
def test_residual_block_is_identity_plus_residual(reflect):
    block = ResidualBlock(3, nn.BatchNorm2d, reflect=reflect, bias=False)
    assert sum(isinstance(m, nn.ReflectionPad2d) for m in block.modules()) == (2 if reflect else 0)
    with torch.no_grad():
        block.body[-1].weight.zero_()  # last norm's scale: the residual vanishes
    x = torch.randn(2, 3, 5, 5)
    assert torch.equal(block(x), x)
