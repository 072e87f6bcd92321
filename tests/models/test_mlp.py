"""MLP generator and discriminator."""

import pytest
import torch
from torch import nn

from gankit.models import build_models
from gankit.models.mlp import MLPDiscriminator, MLPGenerator


@pytest.mark.parametrize("shape", [(1,), (2,), (1, 28, 28)])
def test_shapes(make_cfg, shape):
    g, d = build_models(make_cfg(name="mlp", z_dim=8, g_hidden=[16, 16], d_hidden=[16]), shape)
    z = torch.randn(5, g.z_dim)
    x = g(z)
    assert x.shape == (5, *shape)
    assert d(x).shape == (5,)
    assert g.shape == shape and d.shape == shape


def test_mnist_preset_layers(make_cfg):
    cfg = make_cfg(name="mlp", g_hidden=[256, 512, 1024], d_hidden=[1024, 512, 256])
    g, d = build_models(cfg, (1, 28, 28))
    g_sizes = [m.out_features for m in g.modules() if isinstance(m, nn.Linear)]
    d_sizes = [m.out_features for m in d.modules() if isinstance(m, nn.Linear)]
    assert g_sizes == [256, 512, 1024, 784]
    assert d_sizes == [1024, 512, 256, 1]
    assert any(isinstance(m, nn.LeakyReLU) and m.negative_slope == 0.2 for m in d.modules())


@pytest.mark.parametrize("g_out", ["tanh", "sigmoid"])
def test_output_range(g_out):
    g = MLPGenerator(4, [8], (1, 6, 6), g_out)
    with torch.no_grad():
        nn.init.constant_(g.net[-2].weight, 5.0)  # drive the output into saturation
        x = g(torch.randn(16, 4) * 10)
    assert x.min() >= -1 and x.max() <= 1


def test_linear_output_for_toy_data():
    g = MLPGenerator(2, [], (1,), "none")
    with torch.no_grad():
        g.net[0].weight.fill_(10.0)
        g.net[0].bias.zero_()
    assert g(torch.ones(1, 2)).item() == pytest.approx(20.0)


def test_dropout_only_in_train_mode():
    d = MLPDiscriminator((32,), [64, 64], dropout=0.5)
    x = torch.randn(4, 32)
    d.train()
    assert not torch.equal(d(x), d(x))
    d.eval()
    assert torch.equal(d(x), d(x))


def test_no_dropout_layer_when_zero():
    d = MLPDiscriminator((32,), [64], dropout=0.0)
    assert not any(isinstance(m, nn.Dropout) for m in d.modules())


def test_spectral_norm_on_every_linear(make_cfg):
    _, d = build_models(make_cfg(name="mlp", d_hidden=[16, 16], spectral_norm=True), (2,))
    linears = [m for m in d.modules() if isinstance(m, nn.Linear)]
    assert len(linears) == 3
    assert all("weight" in m.parametrizations for m in linears)


def test_gradients_flow(make_cfg):
    g, d = build_models(make_cfg(name="mlp", z_dim=4, g_hidden=[8], d_hidden=[8]), (2,))
    d(g(torch.randn(6, 4))).mean().backward()
    assert all(p.grad is not None for p in g.parameters())


def test_batch_norm_generator_layers_and_eval_mode(make_cfg):
    g, _ = build_models(make_cfg(name="mlp", z_dim=2, g_hidden=[16, 16], d_hidden=[8], g_out="none",
                                 g_norm="batch"), (2,))
    linears = [m for m in g.modules() if isinstance(m, nn.Linear)]
    norms = [m for m in g.modules() if isinstance(m, nn.BatchNorm1d)]
    assert [m.bias is None for m in linears] == [True, True, False]  # the norm's shift replaces hidden biases
    assert len(norms) == 2 and all(m.momentum == 0.05 for m in norms)
    z = torch.randn(64, 2)
    g.train()(z)
    g.eval()
    # eval mode: a sample does not depend on its batch (up to float rounding: BLAS sums a batch of 1 and of 64
    # in different orders; in train mode the batch statistics would move it by O(1))
    torch.testing.assert_close(g(z[:1]), g(z)[:1])
    g.train()
    assert not torch.allclose(g(z[:2]), g(z)[:2])
