"""The model registry: build_models and count_parameters."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models import DISCRIMINATORS, GENERATORS, build_models, count_parameters


def test_registry_keys():
    assert set(GENERATORS) == set(DISCRIMINATORS) == {"mlp", "maxout", "dcgan", "stylegan2"}


def test_generator_and_discriminator_can_be_chosen_apart(make_cfg):
    g, d = build_models(make_cfg(name="dcgan", generator="mlp", discriminator="maxout", z_dim=8,
                                 g_hidden=[16], d_hidden=[16], maxout_pieces=2), (1, 8, 8))
    assert type(g).__name__ == "MLPGenerator" and type(d).__name__ == "MaxoutDiscriminator"


@pytest.mark.parametrize("name, shape", [("mlp", (2,)), ("maxout", (1, 28, 28)), ("dcgan", (1, 28, 28))])
def test_build_models(name, shape, make_cfg):
    g, d = build_models(make_cfg(name=name, z_dim=8, width=8, g_hidden=[16], d_hidden=[16]), list(shape))
    assert g.z_dim == 8 and g.shape == d.shape == shape
    assert d(g(torch.randn(3, 8))).shape == (3,)


def test_unknown_name_lists_choices(make_cfg):
    with pytest.raises(GankitError, match="dcgan, maxout, mlp"):
        build_models(make_cfg(name="stylegan"), (1, 28, 28))


def test_count_parameters():
    assert count_parameters(nn.Linear(3, 4)) == 16
    frozen = nn.Linear(3, 4)
    frozen.bias.requires_grad_(False)
    assert count_parameters(frozen) == 12
