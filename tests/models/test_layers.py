"""Shared building blocks: output activations, spectral-norm helper, shape checks."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import (
    ScaledSigmoid,
    check_shape,
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
