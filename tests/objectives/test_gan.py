"""One real D step and one real G step on tiny networks (as mimicry tests do)."""

import pytest
import torch

from gankit.config import from_dict
from gankit.data import ImageDataset
from gankit.objectives import gan, sample_z
from gankit.train.session import start_session


def tiny(loss="nonsaturating", penalty="none", d_norm="batch", precision="fp32"):
    cfg = from_dict({"model": {"name": "dcgan", "z_dim": 4, "width": 4, "d_norm": d_norm},
                     "loss": {"name": loss, "penalty": penalty},
                     "g_optim": {"name": "sgd", "lr": 0.1}, "d_optim": {"name": "sgd", "lr": 0.1},
                     "train": {"batch_size": 6, "n_samples": 4, "precision": precision}})
    data = ImageDataset(torch.randint(0, 256, (20, 1, 8, 8), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)))
    return start_session(cfg, data, "cpu"), data


def params(m):
    return [p.detach().clone() for p in m.parameters()]


def changed(before, m):
    return any(not torch.equal(a, b) for a, b in zip(before, m.parameters()))


@pytest.mark.parametrize("loss, penalty", [("nonsaturating", "none"), ("minimax", "r1"),
                                           ("wasserstein", "gp"), ("wasserstein", "clip"), ("hinge", "none")])
def test_d_step_changes_only_d_and_g_step_only_g(loss, penalty):
    s, data = tiny(loss, penalty, d_norm="layer" if penalty == "gp" else "batch")
    G, D = s.nets["G"], s.nets["D"]
    g0, d0 = params(G), params(D)
    stats, _ = gan.d_step(s.parts, data, s.t)
    assert changed(d0, D) and not changed(g0, G)
    assert {"loss_D", "D_real", "D_fake"} <= set(stats)
    assert ("penalty" in stats) == (penalty in ("gp", "r1"))
    assert all(isinstance(v, torch.Tensor) and v.dim() == 0 for v in stats.values())  # read once per interval
    d1, d_grads = params(D), [p.grad.clone() for p in D.parameters()]
    g_stats = gan.g_step(s.parts, s.t)
    assert all(torch.equal(p.grad, g) for p, g in zip(D.parameters(), d_grads))  # D was frozen during G's update
    assert changed(g0, G) and not changed(d1, D)
    assert all(p.requires_grad for p in D.parameters())  # D is unfrozen again
    assert set(g_stats) == {"loss_G"}


def test_clip_constrains_d_after_its_step():
    s, data = tiny("wasserstein", "clip")
    gan.d_step(s.parts, data, s.t)
    assert max(p.abs().max().item() for p in s.nets["D"].parameters()) <= 0.01


def test_probabilities_are_reported_for_logit_losses_and_raw_values_otherwise():
    s, data = tiny("nonsaturating")
    stats, _ = gan.d_step(s.parts, data, s.t)
    assert 0 < stats["D_real"] < 1 and 0 < stats["D_fake"] < 1


def test_noise_comes_from_the_context_streams_only():
    s, data = tiny()
    state = torch.get_rng_state()
    real, _ = s.t.batch(data, 6)
    gan.d_loss(s.parts, real, s.t)
    assert torch.equal(state, torch.get_rng_state())  # dropout-free nets draw nothing from the global RNG
    assert set(s.t.generators) == {"data", "noise"}


@pytest.mark.parametrize("penalty", ["gp", "r1"])
def test_fp16_penalties_go_through_the_loss_scale_and_match_fp32(penalty):
    # The AMP recipe: the inner gradient is taken of the scaled output and unscaled, so the penalty
    # equals the unscaled one (CPU autocast leaves these fp32 layer-normed convolutions close).
    values = {}
    for precision in ("fp32", "fp16"):
        s, data = tiny("wasserstein", penalty, d_norm="layer", precision=precision)
        if precision == "fp16":
            s.t.scalers["D"] = torch.amp.GradScaler("cpu", init_scale=2.0**8)
        real, _ = s.t.batch(data, 6)
        _, stats = gan.d_loss(s.parts, real, s.t)
        values[precision] = float(stats["penalty"])
    assert values["fp16"] == pytest.approx(values["fp32"], rel=2e-2)


def test_fp16_update_whose_scaled_gradients_overflow_is_skipped_and_the_scale_drops():
    s, data = tiny("wasserstein", "gp", d_norm="layer", precision="fp16")
    s.t.scalers["D"] = torch.amp.GradScaler("cpu", init_scale=2.0**60)  # certain to overflow fp16
    d0 = params(s.nets["D"])
    gan.d_step(s.parts, data, s.t)
    assert not changed(d0, s.nets["D"])
    assert s.t.scalers["D"].get_scale() == 2.0**59


def test_sample_z_distributions():
    g = torch.Generator().manual_seed(0)
    u = sample_z(10000, 3, "uniform", g)
    n = sample_z(10000, 3, "normal", g)
    assert u.min() >= -1 and u.max() <= 1 and abs(u.mean()) < 0.05
    assert abs(n.std() - 1) < 0.05


def test_reused_fakes_cost_one_g_forward_and_give_gs_update_on_the_d_steps_noise():
    forwards = {}
    for reuse in (False, True):
        s, data = tiny()
        s.cfg.train.reuse_fakes = reuse
        calls = []
        s.nets["G"].register_forward_hook(lambda *_: calls.append(1))
        g0 = params(s.nets["G"])
        stats = gan.train_step(s.parts, data, s.t)
        forwards[reuse] = len(calls)
        assert changed(g0, s.nets["G"]) and {"loss_D", "loss_G"} <= set(stats)
    assert forwards == {False: 2, True: 1}


def test_reuse_updates_g_exactly_as_a_g_step_on_the_same_fakes():
    a, data = tiny()
    a.cfg.train.reuse_fakes = True
    gan.train_step(a.parts, data, a.t)
    # By hand, from the same start: D's update on fresh noise, then G's update on G of that same noise.
    b, _ = tiny()
    real, _ = b.t.batch(data, 6)
    fake = b.nets["G"](gan.noise(b.parts, 6, b.t))
    loss, _ = gan.d_loss(b.parts, real, b.t, fake)
    b.t.update("D", loss)
    gan.g_step(b.parts, b.t, (fake, None))
    for p, q in zip(a.nets["G"].parameters(), b.nets["G"].parameters()):
        assert torch.equal(p, q)
