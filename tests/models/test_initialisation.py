import pytest
import torch

from gankit.errors import GankitError
from gankit.models import build_models, initialise
from gankit.models.initialisation import GOODFELLOW2014_RANGES


class Images:
    """A dataset stand-in: uint8 images whose pixel means are known."""

    def __init__(self):
        self.images = torch.zeros(4, 1, 2, 2, dtype=torch.uint8)
        self.images[:2, 0, 0, 0] = 255   # pixel 0: mean 0.5
        self.images[:, 0, 0, 1] = 51     # pixel 1: mean 0.2
        self.images[:, 0, 1, 0] = 255    # pixel 2: mean 1 (clipped to 1 - 1e-7)


def paper_cfg(make_cfg, **kw):
    return make_cfg(name="maxout", z_dim=4, g_hidden=[8], d_hidden=[6], maxout_pieces=3, g_out="sigmoid",
                    init="goodfellow2014", **kw)


def linears(net):
    return [m for m in net.modules() if isinstance(m, torch.nn.Linear)]


def test_goodfellow2014_ranges_and_the_mean_image_bias(make_cfg):
    cfg = paper_cfg(make_cfg)
    G, D = build_models(cfg, (1, 2, 2))
    initialise(G, D, cfg, Images())
    for net, r in ((G, GOODFELLOW2014_RANGES["G"]), (D, GOODFELLOW2014_RANGES["D"])):
        for layer in linears(net):
            assert 0.5 * r < layer.weight.abs().max() <= r
    assert all(not layer.bias.any() for layer in linears(G)[:-1] + linears(D))
    bias = linears(G)[-1].bias.detach()
    assert bias[0] == pytest.approx(0.0, abs=1e-6)
    assert bias[1] == pytest.approx(torch.logit(torch.tensor(0.2)).item(), abs=1e-5)
    assert bias[2] == pytest.approx(torch.logit(torch.tensor(1 - 1e-7, dtype=torch.float64)).item(), rel=1e-5)
    assert bias[3] == pytest.approx(torch.logit(torch.tensor(1e-7, dtype=torch.float64)).item(), rel=1e-5)
    # With such small weights G starts near the data's mean image (rescaled to [-1, 1]).
    mean_image = torch.tensor([0.5, 0.2, 1.0, 0.0]) * 2 - 1
    with torch.no_grad():
        out = G(torch.rand(5, 4) * 2 - 1).view(5, 4)
    assert torch.allclose(out, mean_image.expand(5, 4), atol=0.05)


def test_spectral_norm_weights_are_initialised_too(make_cfg):
    cfg = paper_cfg(make_cfg, spectral_norm=True)
    G, D = build_models(cfg, (1, 2, 2))
    initialise(G, D, cfg, Images())
    raw = D.head.parametrizations.weight.original
    assert raw.abs().max() <= GOODFELLOW2014_RANGES["D"]


def test_default_leaves_the_family_initialisation_alone(make_cfg):
    cfg = make_cfg(name="mlp", z_dim=4, g_hidden=[8], d_hidden=[8])
    G, D = build_models(cfg, (1, 2, 2))
    before = [p.clone() for p in list(G.parameters()) + list(D.parameters())]
    initialise(G, D, cfg, Images())
    assert all(torch.equal(a, b) for a, b in zip(before, list(G.parameters()) + list(D.parameters())))


def test_goodfellow2014_is_refused_for_convolutional_models(make_cfg):
    cfg = make_cfg(name="dcgan", z_dim=4, width=4, init="goodfellow2014")
    G, D = build_models(cfg, (1, 8, 8))
    with pytest.raises(GankitError, match="model.init=goodfellow2014 is for the fully connected models"):
        initialise(G, D, cfg, Images())


def test_pacgan2018_normal_weights_and_zero_biases(make_cfg):
    torch.manual_seed(0)
    cfg = make_cfg(name="maxout", z_dim=2, g_hidden=[400, 400], d_hidden=[200], maxout_pieces=5, g_out="none",
                   g_norm="batch", init="pacgan2018")
    G, D = build_models(cfg, (2,))
    initialise(G, D, cfg, data=None)
    weights = torch.cat([m.weight.flatten() for net in (G, D) for m in linears(net)])
    assert abs(weights.std().item() - 0.02) < 0.001 and abs(weights.mean().item()) < 0.001
    assert all(m.bias is None or not m.bias.any() for net in (G, D) for m in linears(net))


def test_pacgan2018_is_refused_for_the_2014_conditional_model(make_cfg):
    cfg = make_cfg(name="cgan2014", init="pacgan2018")
    with pytest.raises(GankitError, match="model.init=pacgan2018 is for the fully connected models"):
        initialise(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1), cfg, data=None)
