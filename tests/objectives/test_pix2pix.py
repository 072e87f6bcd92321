"""pix2pix's step: D judges (input, output) pairs and its loss is halved; G adds lambda x L1; its scores."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F

from gankit.data import load_dataset, to_float
from gankit.metrics.translation import l1_distance
from gankit.objectives import pix2pix
from gankit.train.session import start_session
from tests.conftest import tiny_pix2pix_config


@pytest.fixture
def session():
    cfg = tiny_pix2pix_config()
    data = load_dataset(cfg.data)
    return start_session(cfg, data, "cpu"), data


def test_d_loss_is_half_the_bce_of_real_and_fake_pairs_by_hand(session):
    s, data = session
    a, b = data.sample(4, torch.Generator().manual_seed(0))
    fake = torch.rand_like(b) * 2 - 1
    loss, stats = pix2pix.d_loss(s.parts, a, b, fake, s.t)
    D = s.nets["D"]
    real_logits = D(torch.cat([a, b], dim=1)).flatten(1)   # (B, patches): every patch judged
    fake_logits = D(torch.cat([a, fake], dim=1)).flatten(1)
    bce = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()  # -log D(a, b) - log(1 - D(a, G(a)))
    assert loss.item() == pytest.approx(0.5 * bce.item(), rel=1e-6)
    assert stats["loss_D"].item() == pytest.approx(bce.item(), rel=1e-6)  # reported whole, as the paper's plots


def test_d_sees_the_input_beside_the_output(session):
    s, data = session
    a, b = data.sample(4, torch.Generator().manual_seed(0))
    loss, _ = pix2pix.d_loss(s.parts, a, b, b.clone(), s.t)
    other, _ = pix2pix.d_loss(s.parts, -a, b, b.clone(), s.t)
    assert not torch.isclose(loss, other)


@pytest.mark.parametrize("adv_weight, l1_weight", [(0.0, 100.0), (1.0, 0.0)])
def test_g_minimises_adv_weight_x_adversarial_plus_l1_weight_x_l1(adv_weight, l1_weight):
    cfg = tiny_pix2pix_config()
    cfg.options.adv_weight, cfg.options.l1_weight = adv_weight, l1_weight
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    g_before = {k: v.clone() for k, v in s.nets["G"].state_dict().items()}
    stats = pix2pix.train_step(s.parts, data, s.t)
    assert {"loss_D", "loss_G", "L1"} <= set(stats)
    moved = any(not torch.equal(g_before[k], v) for k, v in s.nets["G"].state_dict().items())
    assert moved  # either term alone moves G


def test_score_is_the_l1_of_the_translations_to_their_targets(session):
    s, _ = session
    test = load_dataset(dataclasses.replace(s.cfg.data, split="test", limit=None))
    out = pix2pix.score(s.parts, test, 6, judge=None)
    fake = pix2pix.generate(s.parts, {"x": to_float(test.a[:6])})
    assert out["n"] == 6 and out["l1"] == pytest.approx(l1_distance(fake, to_float(test.b[:6])))
    assert {"psnr", "ssim"} <= set(out) and "accuracy" not in out  # no judge, no class accuracy


def test_inputs_translate_given_images_or_probe_pairs(session):
    s, _ = session
    given = torch.zeros(3, *s.spec.shape)
    assert torch.equal(pix2pix.inputs(s.parts, None, torch.Generator(), images=given)["x"], given)
    probes = pix2pix.inputs(s.parts, 5, torch.Generator().manual_seed(0))
    assert probes["x"].shape == probes["target"].shape == (5, *s.spec.shape)
