"""DCGAN at every supported resolution, its norms, init and spectral norm."""

import pytest
import torch
from torch import nn

from gankit.models import build_conditional_models, build_models
from gankit.errors import GankitError
from gankit.models.dcgan import (
    DCGANDiscriminator,
    DCGANGenerator,
    resolution_plan,
)


@pytest.mark.parametrize("size, plan", [(8, (4, 1)), (16, (4, 2)), (28, (7, 2)), (32, (4, 3)),
                                        (64, (4, 4)), (14, (7, 1)), (56, (7, 3))])
def test_resolution_plan(size, plan):
    assert resolution_plan(size) == plan


@pytest.mark.parametrize("size", [4, 7, 12, 30, 48, 100])
def test_unsupported_resolution(size, make_cfg):
    with pytest.raises(GankitError, match=f"resolution {size}.*8, 16, 28, 32, 64"):
        build_models(make_cfg(), (1, size, size))


@pytest.mark.parametrize("shape", [(1, 28, 32), (28, 28), (1, 2, 28, 28)])
def test_bad_shapes(shape, make_cfg):
    with pytest.raises(GankitError):
        build_models(make_cfg(), shape)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [8, 16, 28, 32, 64])
def test_shapes(size, channels, make_cfg):
    g, d = build_models(make_cfg(z_dim=16, width=8), (channels, size, size))
    x = g(torch.randn(2, 16))
    assert x.shape == (2, channels, size, size)
    assert d(x).shape == (2,)
    assert g.shape == d.shape == (channels, size, size)
    assert g.z_dim == 16


def test_width_is_channels_nearest_image():
    g = DCGANGenerator(8, (1, 64, 64), width=16)
    d = DCGANDiscriminator((1, 64, 64), width=16)
    g_convs = [m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    d_convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert [c.in_channels for c in g_convs] == [128, 64, 32, 16]
    assert [c.out_channels for c in d_convs] == [16, 32, 64, 128]
    assert g.project.out_features == 128 * 4 * 4


@pytest.mark.parametrize("cond", ["", "concat", "projection"])
def test_g_width_and_d_width_override_width(cond, make_cfg):
    cfg = make_cfg(z_dim=8, width=8, g_width=12, d_width=4, **({"cond": cond} if cond else {}))
    g, d = build_conditional_models(cfg, (1, 16, 16), 3, cond) if cond else build_models(cfg, (1, 16, 16))
    g_convs = [m for m in g.modules() if isinstance(m, nn.ConvTranspose2d)]
    d_convs = [m for m in d.modules() if isinstance(m, nn.Conv2d)]
    assert [c.in_channels for c in g_convs] == [24, 12]
    assert [c.out_channels for c in d_convs] == [4, 8]


@pytest.mark.parametrize("g_out", ["tanh", "sigmoid"])
def test_output_range(g_out):
    g = DCGANGenerator(8, (3, 16, 16), width=8, g_out=g_out)
    x = g(torch.randn(8, 8) * 50)
    assert x.min() >= -1 and x.max() <= 1


@pytest.mark.parametrize("d_norm, norm_cls, count", [("batch", nn.BatchNorm2d, 2),
                                                     ("layer", nn.GroupNorm, 2),
                                                     ("none", None, 0)])
def test_d_norm_variants(d_norm, norm_cls, count):
    d = DCGANDiscriminator((1, 32, 32), width=8, d_norm=d_norm)
    norms = [m for m in d.modules() if isinstance(m, (nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm))]
    assert len(norms) == count
    if norm_cls is not None:
        assert all(isinstance(m, norm_cls) for m in norms)
    if norm_cls is nn.GroupNorm:
        assert all(m.num_groups == 1 for m in norms)
    # First conv is never normalised: it sees raw pixels.
    assert not isinstance(d.features[1], (nn.BatchNorm2d, nn.GroupNorm))
    assert d(torch.randn(2, 1, 32, 32)).shape == (2,)


def test_layer_norm_critic_is_per_sample():
    d = DCGANDiscriminator((1, 16, 16), width=8, d_norm="layer").train()
    x = torch.randn(4, 1, 16, 16)
    # A per-sample critic gives each sample the same value whatever its batch mates.
    assert torch.allclose(d(x)[:1], d(x[:1]), atol=1e-6)


def test_unknown_d_norm(make_cfg):
    with pytest.raises(GankitError, match="batch, layer, none"):
        build_models(make_cfg(d_norm="instance"), (1, 8, 8))


def test_discriminator_outputs_raw_logits():
    d = DCGANDiscriminator((3, 32, 32), width=8)
    assert not any(isinstance(m, (nn.Sigmoid, nn.Tanh)) for m in d.modules())


def test_init_std():
    g = DCGANGenerator(100, (3, 64, 64), width=32)
    d = DCGANDiscriminator((3, 64, 64), width=32)
    for net in (g, d):
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.weight.numel() > 5000:
                assert m.weight.std().item() == pytest.approx(0.02, rel=0.1)
                assert abs(m.weight.mean().item()) < 0.005
            if isinstance(m, nn.BatchNorm2d):
                assert (m.weight - 1).abs().max() < 0.2
                assert torch.all(m.bias == 0)


def test_spectral_norm_sigma_one(make_cfg):
    _, d = build_models(make_cfg(width=8, spectral_norm=True, d_norm="none"), (1, 16, 16))
    layers = [m for m in d.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    assert len(layers) == 3
    assert all("weight" in m.parametrizations for m in layers)
    # Init happened before wrapping: the stored original keeps the N(0, 0.02) draw.
    assert layers[1].parametrizations.weight.original.std().item() == pytest.approx(0.02, rel=0.2)
    d.train()
    for _ in range(5):  # each train-mode forward runs one power iteration
        d(torch.randn(2, 1, 16, 16))
    d.eval()
    for m in layers:
        w = m.weight.detach().reshape(m.weight.shape[0], -1)
        assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, abs=0.05)


def test_gradients_flow(make_cfg):
    g, d = build_models(make_cfg(z_dim=8, width=8), (1, 28, 28))
    d(g(torch.randn(4, 8))).mean().backward()
    assert all(p.grad is not None for p in g.parameters())
