"""Conditional networks: the label reaches G and D as each paper feeds it, at every resolution."""

import pytest
import torch
import torch.nn.functional as F

from gankit.errors import GankitError
from gankit.models import build_conditional_models
from gankit.models.conditional import ACGANDiscriminator, ProjectionDiscriminator
from gankit.models.layers import ConditionalBatchNorm2d

K = 4
CASES = [("mlp", (1, 8, 8)), ("maxout", (1, 8, 8)), ("dcgan", (1, 8, 8)), ("dcgan", (1, 16, 16)),
         ("dcgan", (1, 28, 28)), ("dcgan", (3, 32, 32)), ("mlp", (2,))]


def nets(make_cfg, name, shape, cond, **kw):
    torch.manual_seed(0)
    cfg = make_cfg(name=name, cond=cond, z_dim=6, width=4, g_hidden=[16], d_hidden=[16], maxout_pieces=2, **kw)
    G, D = build_conditional_models(cfg, shape, K, cfg.cond)
    return G.eval(), D.eval()


@pytest.mark.parametrize("cond", ["concat", "projection", "acgan"])
@pytest.mark.parametrize("name, shape", CASES)
def test_the_label_reaches_g_and_d(make_cfg, name, shape, cond):
    G, D = nets(make_cfg, name, shape, cond)
    z = torch.randn(5, 6)
    y0, y1 = torch.zeros(5, dtype=torch.long), torch.full((5,), 3)
    x0, x1 = G(z, y0), G(z, y1)
    assert x0.shape == (5, *shape) and not torch.allclose(x0, x1)
    src0, cls0 = D(x0, y0)
    src1, cls1 = D(x0, y1)
    assert src0.shape == (5,)
    if cond == "acgan":  # D never sees y: it says which class it thinks x is
        assert torch.equal(src0, src1) and cls0.shape == (5, K) and torch.equal(cls0, cls1)
    else:
        assert cls0 is None and not torch.allclose(src0, src1)


def test_projection_is_psi_of_phi_plus_the_label_embedding_dotted_with_phi(make_cfg):
    _, D = nets(make_cfg, "dcgan", (1, 16, 16), "projection")
    assert isinstance(D, ProjectionDiscriminator)
    with torch.no_grad():
        D.embed.weight.normal_()
    x, y = torch.randn(3, 1, 16, 16), torch.tensor([0, 2, 3])
    phi = D.base.features(x).double()
    by_hand = phi @ D.base.head.weight.double().t() + D.base.head.bias.double()  # (3, 1)
    by_hand = by_hand[:, 0] + torch.stack([phi[i] @ D.embed.weight[y[i]].double() for i in range(3)])
    assert torch.allclose(D(x, y)[0].double(), by_hand, atol=1e-5)


def test_acgan_heads_share_the_features(make_cfg):
    _, D = nets(make_cfg, "dcgan", (1, 8, 8), "acgan")
    assert isinstance(D, ACGANDiscriminator)
    x = torch.randn(2, 1, 8, 8)
    phi = D.base.features(x)
    assert torch.allclose(D(x)[1], phi @ D.classes.weight.t() + D.classes.bias)


def test_projection_generator_uses_conditional_batchnorm_and_spectral_norm_covers_the_embedding(make_cfg):
    G, D = nets(make_cfg, "dcgan", (1, 16, 16), "projection", spectral_norm=True, d_norm="none")
    cbn = [m for m in G.modules() if isinstance(m, ConditionalBatchNorm2d)]
    assert len(cbn) == 2 and not any(isinstance(m, torch.nn.BatchNorm2d) and m.affine for m in G.modules())
    assert hasattr(D.embed, "parametrizations")


def test_conditional_batchnorm_applies_each_samples_class_scale_and_shift():
    cbn = ConditionalBatchNorm2d(2, 3).train()
    with torch.no_grad():
        cbn.scale.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
        cbn.shift.weight.copy_(torch.tensor([[0.0, 0.5], [1.0, 1.5], [2.0, 2.5]]))
    x, y = torch.randn(4, 2, 3, 3), torch.tensor([0, 2, 1, 2])
    normed = F.batch_norm(x, None, None, training=True)
    expect = normed * cbn.scale.weight[y][:, :, None, None] + cbn.shift.weight[y][:, :, None, None]
    assert torch.allclose(cbn(x, y), expect, atol=1e-6)


def test_the_2014_cgan_networks_have_the_papers_towers(make_cfg):
    cfg = make_cfg(name="cgan2014", z_dim=100, g_hidden=[200, 1000, 1200], d_hidden=[240, 50, 240],
                   maxout_pieces=5, g_out="sigmoid")
    G, D = build_conditional_models(cfg, (1, 28, 28), 10)
    assert (G.z_tower.out_features, G.y_tower.out_features, G.joint.out_features) == (200, 1000, 1200)
    assert (D.x_tower.out_features, D.y_tower.out_features, D.joint.out_features) == (240, 50, 240)
    assert (D.x_tower.pieces, D.joint.pieces) == (5, 4)
    x = G.eval()(torch.rand(3, 100) * 2 - 1, torch.tensor([1, 2, 3]))
    assert x.shape == (3, 1, 28, 28) and D.eval()(x, torch.tensor([1, 2, 3]))[0].shape == (3,)


def test_bad_conditional_networks_are_one_sentence(make_cfg):
    with pytest.raises(GankitError, match="three sizes"):
        build_conditional_models(make_cfg(name="cgan2014", g_hidden=[10, 10]), (1, 8, 8), 10)
    with pytest.raises(GankitError, match="conditional.cond=concat"):
        build_conditional_models(make_cfg(name="cgan2014", g_hidden=[4, 4, 4], d_hidden=[4, 4, 4]), (1, 8, 8), 10,
                                 "projection")
    with pytest.raises(GankitError, match="unknown generator 'resnet'.*cgan2014"):
        build_conditional_models(make_cfg(name="resnet"), (1, 8, 8), 10)
