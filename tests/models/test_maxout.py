"""Maxout unit and the 2014-paper networks."""

import pytest
import torch
from torch import nn

from gankit.models import build_models
from gankit.errors import GankitError
from gankit.models.maxout import Maxout, MaxoutDiscriminator


def test_maxout_picks_max_over_pieces():
    m = Maxout(2, 2, 3)
    with torch.no_grad():
        # Unit 0 pieces: x0, x1, x0 + x1; unit 1 pieces: -x0, -x1, 0 (bias 0.5 on the last).
        m.linear.weight.copy_(
            torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [0.0, 0.0]])
        )
        m.linear.bias.copy_(torch.tensor([0.0, 0.0, 0.0, 0.0, 0.0, 0.5]))
    x = torch.tensor([[2.0, -3.0], [1.0, 1.0]])
    # row 0: unit0 max(2, -3, -1) = 2; unit1 max(-2, 3, 0.5) = 3
    # row 1: unit0 max(1, 1, 2) = 2;   unit1 max(-1, -1, 0.5) = 0.5
    expected = torch.tensor([[2.0, 3.0], [2.0, 0.5]])
    assert torch.allclose(m(x), expected)


def test_paper_shapes(make_cfg):
    cfg = make_cfg(name="maxout", g_hidden=[1200, 1200], d_hidden=[240, 240], input_dropout=0.2,
                   dropout=0.5, g_out="sigmoid")
    g, d = build_models(cfg, (1, 28, 28))
    x = g(torch.randn(3, 100))
    assert x.shape == (3, 1, 28, 28)
    assert x.min() >= -1 and x.max() <= 1
    assert d(x).shape == (3,)
    units = [m for m in d.modules() if isinstance(m, Maxout)]
    assert [(u.out_features, u.pieces) for u in units] == [(240, 5), (240, 5)]
    assert units[0].linear.out_features == 1200
    drops = [m.p for m in d.modules() if isinstance(m, nn.Dropout)]
    assert drops == [0.2, 0.5, 0.5]


def test_input_dropout_only_in_train_mode():
    d = MaxoutDiscriminator((16,), [8], pieces=2, input_dropout=0.5)
    x = torch.randn(4, 16)
    d.train()
    assert not torch.equal(d(x), d(x))
    d.eval()
    assert torch.equal(d(x), d(x))


def test_spectral_norm(make_cfg):
    _, d = build_models(make_cfg(name="maxout", d_hidden=[8], spectral_norm=True), (4,))
    linears = [m for m in d.modules() if isinstance(m, nn.Linear)]
    assert len(linears) == 2
    assert all("weight" in m.parametrizations for m in linears)


def test_bad_pieces(make_cfg):
    with pytest.raises(GankitError, match="maxout_pieces"):
        build_models(make_cfg(name="maxout", maxout_pieces=0), (2,))


def test_gradients_flow(make_cfg):
    g, d = build_models(make_cfg(name="maxout", z_dim=4, g_hidden=[8], d_hidden=[8]), (1, 4, 4))
    d(g(torch.randn(6, 4))).mean().backward()
    assert all(p.grad is not None for p in g.parameters())
