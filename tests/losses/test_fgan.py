"""f-GAN losses: hand-computed values, the variational bound at the optimal critic, stability, one real step."""

import math

import numpy as np
import pytest
import torch
from scipy import integrate
from scipy.stats import norm

from gankit.config import apply_overrides
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.losses import DIVERGENCES, FGAN_LOSSES, LOSSES, loss_for
from gankit.losses.adversarial import bce_d_loss, minimax_g_loss, nonsaturating_g_loss
from gankit.losses.fgan import divergence_value, fgan_d_loss, fgan_g_loss
from gankit.train.session import advance, start_session
from tests.conftest import FAMILY_CONFIGS, tiny_toy_config

V_REAL = torch.tensor([0.0, 1.0], dtype=torch.float64)
V_FAKE = torch.tensor([-1.0, 2.0], dtype=torch.float64)
E, L2 = math.e, math.log(2.0)


def _sp(x):
    return math.log1p(math.exp(x))


# divergence -> (T at V_REAL, f*(T) at V_FAKE), written from the paper's table in t (not in v).
HAND = {
    "kl": ([0.0, 1.0], [math.exp(-2), math.exp(1)]),
    "reverse_kl": ([-1.0, -1 / E], [-1 - math.log(E), -1 - math.log(math.exp(-2))]),
    "pearson": ([0.0, 1.0], [0.25 - 1, 1 + 2]),
    "hellinger": ([0.0, 1 - 1 / E], [(1 - E) / E, (1 - math.exp(-2)) / math.exp(-2)]),
    "js": ([L2 - _sp(0), L2 - _sp(-1)], [-math.log(2 - math.exp(L2 - _sp(1))), -math.log(2 - math.exp(L2 - _sp(-2)))]),
    "gan": ([-_sp(0), -_sp(-1)], [-math.log(1 - math.exp(-_sp(1))), -math.log(1 - math.exp(-_sp(-2)))]),
}


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
def test_losses_match_the_papers_table_by_hand(div):
    t_real, conj_fake = HAND[div]
    d_expected = sum(conj_fake) / 2 - sum(t_real) / 2
    assert fgan_d_loss(V_REAL, V_FAKE, div).item() == pytest.approx(d_expected, rel=1e-12)
    assert fgan_g_loss(V_FAKE, div, "saturating").item() == pytest.approx(-sum(conj_fake) / 2, rel=1e-12)
    t_fake = DIVERGENCES[div].activation(V_FAKE)
    assert fgan_g_loss(V_FAKE, div, "nonsaturating").item() == pytest.approx(-t_fake.mean().item(), rel=1e-12)


def test_gan_divergence_is_gankits_minimax_game_and_js_is_it_less_log_4():
    real, fake = torch.randn(64, generator=torch.Generator().manual_seed(0)) * 5, torch.linspace(-20, 20, 64)
    assert fgan_d_loss(real, fake, "gan").item() == pytest.approx(bce_d_loss(real, fake).item(), rel=1e-6)
    assert fgan_d_loss(real, fake, "js").item() == pytest.approx(bce_d_loss(real, fake).item() - math.log(4), abs=1e-5)
    assert fgan_g_loss(fake, "gan", "saturating").item() == pytest.approx(minimax_g_loss(fake).item(), rel=1e-6)
    assert fgan_g_loss(fake, "gan", "nonsaturating").item() == pytest.approx(nonsaturating_g_loss(fake).item(), rel=1e-6)


# Two Gaussians P = N(0, 1) (data) and Q = N(0.5, 1.2^2) (model); the optimal critic is T*(x) = f'(p/q),
# i.e. v*(x) = g_f^-1(f'(u)), written here in r = log u = log p(x) - log q(x).
P, Q = norm(0.0, 1.0), norm(0.5, 1.2)
OPTIMAL_V = {"kl": lambda r: 1 + r, "reverse_kl": lambda r: r, "pearson": lambda r: 2 * np.expm1(r),
             "hellinger": lambda r: r / 2, "js": lambda r: r, "gan": lambda r: r}
# D_f(P || Q) = integral of q f(p / q) with f from the paper's Table 1.
F_OF_U = {"kl": lambda u: u * np.log(u), "reverse_kl": lambda u: -np.log(u), "pearson": lambda u: (u - 1) ** 2,
          "hellinger": lambda u: (np.sqrt(u) - 1) ** 2,
          "js": lambda u: u * np.log(u) - (u + 1) * np.log((u + 1) / 2),
          "gan": lambda u: u * np.log(u) - (u + 1) * np.log(u + 1)}


def _quad(fn):
    return integrate.quad(fn, -15, 15, limit=200, epsabs=1e-11)[0]


def _true_divergence(div):
    return _quad(lambda x: Q.pdf(x) * F_OF_U[div](P.pdf(x) / Q.pdf(x)))


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
def test_the_bound_at_the_optimal_critic_is_the_true_divergence(div):
    d = DIVERGENCES[div]

    def at(fn, x):
        v = OPTIMAL_V[div](P.logpdf(x) - Q.logpdf(x))
        return fn(torch.tensor(v, dtype=torch.float64)).item()
    bound = _quad(lambda x: P.pdf(x) * at(d.activation, x)) - _quad(lambda x: Q.pdf(x) * at(d.conjugate, x))
    truth = _true_divergence(div)
    assert truth > 0.01 or div == "gan"
    assert bound == pytest.approx(truth, rel=1e-6, abs=1e-8)
    # Any other critic gives less: the bound is a lower bound.
    worse = _quad(lambda x: P.pdf(x) * at(lambda v: d.activation(v * 0.7), x)) - \
        _quad(lambda x: Q.pdf(x) * at(lambda v: d.conjugate(v * 0.7), x))
    assert worse < truth - 1e-4
    # The same through the D loss on large samples (Monte Carlo).
    gen = np.random.default_rng(0)
    xp, xq = gen.normal(0, 1, 400_000), gen.normal(0.5, 1.2, 400_000)
    v_real = torch.tensor(OPTIMAL_V[div](P.logpdf(xp) - Q.logpdf(xp)))
    v_fake = torch.tensor(OPTIMAL_V[div](P.logpdf(xq) - Q.logpdf(xq)))
    assert -fgan_d_loss(v_real, v_fake, div).item() == pytest.approx(truth, abs=0.02)


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
def test_grid_divergence_matches_quadrature(div):
    x = np.linspace(-15, 15, 6001)
    got = divergence_value(div, P.logpdf(x), Q.logpdf(x), x[1] - x[0])
    assert got == pytest.approx(_true_divergence(div), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
@pytest.mark.parametrize("variant", ["saturating", "nonsaturating"])
def test_huge_outputs_never_give_nan_and_finite_values_stay_finite(div, variant):
    loss = FGAN_LOSSES[div, variant]
    for scale in (80.0, 1e4):
        v = torch.tensor([-scale, scale], requires_grad=True)
        d = loss.d(v, v.flip(0))
        g = loss.g(v)
        (grad_d,), (grad_g,) = torch.autograd.grad(d, v), torch.autograd.grad(g, v)
        for value in (d, g, grad_d, grad_g):
            assert not torch.isnan(value).any(), (div, scale)
        if div in ("pearson", "js", "gan") or scale == 80.0:  # bounded exps; the others' exact value exceeds float
            assert all(torch.isfinite(x).all() for x in (d, g, grad_d, grad_g)), (div, scale)
    # A real output never needs a log of a non-positive number: e.g. JS at a T that a raw
    # log(2 - exp(T)) would round to log(0).
    assert torch.isfinite(loss.d(torch.tensor([50.0]), torch.tensor([50.0])))


def test_loss_for_picks_the_classic_losses_and_the_fgan_ones():
    cfg = tiny_toy_config()
    assert loss_for(cfg.loss) is LOSSES["nonsaturating"]
    cfg = apply_overrides(cfg, ["loss.name=fgan", "loss.divergence=reverse_kl", "loss.fgan_g=saturating"])
    assert loss_for(cfg.loss) is FGAN_LOSSES["reverse_kl", "saturating"]
    assert [k for k, v in FGAN_LOSSES.items() if v.probabilistic] == [("gan", "saturating"), ("gan", "nonsaturating")]
    with pytest.raises(GankitError, match="loss.divergence.*allowed: kl, reverse_kl"):
        apply_overrides(tiny_toy_config(), ["loss.divergence=tv"])
    with pytest.raises(GankitError, match="loss.fgan_g.*allowed: saturating, nonsaturating"):
        apply_overrides(tiny_toy_config(), ["loss.fgan_g=alternative"])


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
def test_one_real_training_step_per_divergence_gives_finite_stats(div):
    cfg = apply_overrides(tiny_toy_config(steps=2), ["loss.name=fgan", f"loss.divergence={div}"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    D0 = [p.detach().clone() for p in s.nets["D"].parameters()]
    stats = advance(s, data)
    assert {"loss_D", "loss_G", "D_real", "D_fake"} <= set(stats)
    assert all(torch.isfinite(v) for v in stats.values())
    assert any(not torch.equal(a, b) for a, b in zip(D0, s.nets["D"].parameters()))


@pytest.mark.parametrize("family", sorted(f for f in FAMILY_CONFIGS if f != "mle"))  # mle has no D
def test_every_family_trains_a_step_with_an_fgan_loss(family):
    """Every family takes its adversarial loss from loss_for, so f-GAN's objectives serve each (KL: the
    exponential conjugate, the least forgiving)."""
    cfg = apply_overrides(FAMILY_CONFIGS[family](steps=2), ["loss.name=fgan", "loss.divergence=kl"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    before = {name: [p.detach().clone() for p in net.parameters()] for name, net in s.nets.items()}
    stats = advance(s, data)
    assert stats and all(torch.isfinite(v).all() for v in stats.values()), stats
    changed = {name for name, ps in before.items()
               if any(not torch.equal(a, b) for a, b in zip(ps, s.nets[name].parameters()))}
    assert any(name.startswith("D") for name in changed) and any(name.startswith("G") for name in changed), changed
