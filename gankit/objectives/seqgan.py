"""SeqGAN (Yu et al. 2017, objective: seqgan): a text GAN whose generator learns by policy gradient.

A sampled token is not differentiable, so G is a policy: D's probability that a finished sequence is real
is its reward, and a token's reward is the mean of D over seqgan.rollouts completions of its prefix drawn
by a delayed copy of G (G_rollout, which takes 1 - seqgan.rollout_update of G's weights after each G
update). The phases are data of the family, by step: seqgan.mle_steps of maximum likelihood, then
seqgan.d_pretrain_steps D updates on real sequences against G's samples, then adversarial steps, each one
REINFORCE update of G (loss -mean(log G(x_t | x_<t) * reward_t), gradients clipped to seqgan.grad_clip)
followed by seqgan.adv_d_steps D updates on fresh samples. G_rollout is G's copy when the adversarial
phase begins. D is SeqGAN's CNN (gankit.models.text_cnn); its dropout is off while it gives rewards.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from gankit.data import DataSpec
from gankit.models.text_cnn import build_text_cnn
from gankit.objectives import gan, text
from gankit.objectives.parts import OptimizerSpec, Parts, option


@dataclass
class Options:
    """SeqGAN's keys (section `seqgan:`)."""

    mle_steps: int = option(18750, "maximum-likelihood steps first (SeqGAN: 120 epochs of 10,000 at batch 64)",
                            low=0)
    d_pretrain_steps: int = option(23550, "then D updates on real vs G's samples (SeqGAN: 50 x 3 epochs of "
                                   "10,000)", low=0)
    adv_d_steps: int = option(2355, "D updates after each adversarial G update (SeqGAN: 5 x 3 epochs)", low=0)
    rollouts: int = option(16, "Monte-Carlo completions of each prefix", low=1)
    rollout_update: float = option(0.8, "the share of its own weights G_rollout keeps at each update", low=0,
                                   high=1)
    grad_clip: float = option(5.0, "the largest norm of G's gradients", low=0, low_inclusive=False)


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G, its delayed copy for the rollouts, and the CNN D (and the oracle, on the oracle benchmark)."""
    nets = text.generator_and_oracle(cfg, spec)
    nets["G_rollout"] = copy.deepcopy(nets["G"]).requires_grad_(False)
    nets["D"] = build_text_cnn(cfg.model, len(spec.vocab), spec.shape[0])
    return Parts(cfg=cfg, nets=nets,
                 optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
                 buffers={"probe_u": text.probe_uniforms(cfg, spec.shape[0])}, followers={"G_rollout": "G"})


def phase(parts: Parts, step: int) -> str:
    """Which phase the iteration after `step` completed ones belongs to: mle, d_pretrain or adversarial."""
    opts = parts.cfg.options
    if step < opts.mle_steps:
        return "mle"
    return "d_pretrain" if step < opts.mle_steps + opts.d_pretrain_steps else "adversarial"


def d_step(parts: Parts, data, t) -> dict:
    """One D update: real sequences against as many fresh samples of G."""
    real, _ = t.batch(data, parts.cfg.train.batch_size)
    G = parts.nets["G"]
    fake = G.sample(len(real), uniforms=t.draw("noise", lambda m, g: G.uniforms(m, g), len(real)))
    D = parts.nets["D"]
    with t.autocast():
        loss, stats, _ = gan.discriminate(parts.cfg.loss, lambda x: (D(x), None), real, fake, t)
    t.update("D", loss)
    return stats


@torch.no_grad()
def rewards(parts: Parts, x: torch.Tensor, t) -> torch.Tensor:
    """Each token's reward (B, L): D's mean probability of `rollouts` completions of its prefix by G_rollout;
    the last token's is D's probability of the sequence itself."""
    G_rollout, D, n = parts.nets["G_rollout"], parts.nets["D"], parts.cfg.options.rollouts
    was = D.training
    D.eval()
    try:
        B, L = x.shape
        out = torch.empty((B, L), device=x.device)
        for i in range(1, L):
            u = t.draw("rollout", lambda m, g: G_rollout.uniforms(n * m, g, start=i).view(n, m, L), B, dim=1)
            done = G_rollout.sample(B * n, prefix=x[:, :i].repeat(n, 1), uniforms=u.reshape(n * B, L))  # (n * B, L)
            out[:, i - 1] = torch.sigmoid(D(done).float()).view(n, B).mean(0)
        out[:, L - 1] = torch.sigmoid(D(x).float())
    finally:
        D.train(was)
    return out


def g_step(parts: Parts, t) -> dict:
    """One REINFORCE update of G on its own samples, then G_rollout moves toward G."""
    G, opts = parts.nets["G"], parts.cfg.options
    B = t.share(parts.cfg.train.batch_size)
    x = G.sample(B, uniforms=t.draw("noise", lambda m, g: G.uniforms(m, g), B))  # (B, L)
    reward = rewards(parts, x, t)
    with t.autocast():
        loss = -(G.log_prob(x) * reward).mean()
    t.update("G", loss, max_norm=opts.grad_clip)
    with torch.no_grad():
        for slow, fast in zip(parts.nets["G_rollout"].parameters(), G.parameters()):
            slow.mul_(opts.rollout_update).add_(fast, alpha=1 - opts.rollout_update)
    return {"loss_G": loss.detach(), "reward": reward.mean()}


def train_step(parts: Parts, data, t) -> dict:
    """The iteration of the current phase: an MLE update, a D update, or a G update and adv_d_steps D updates."""
    now = phase(parts, t.step)
    if now == "mle":
        return text.mle_step(parts, data, t)
    if now == "d_pretrain":
        return d_step(parts, data, t)
    if phase(parts, t.step - 1) != "adversarial":  # the first adversarial step: the rollouts start from G
        parts.nets["G_rollout"].load_state_dict(parts.nets["G"].state_dict())
    stats = g_step(parts, t)
    for _ in range(parts.cfg.options.adv_d_steps):
        stats |= d_step(parts, data, t)
    return stats


def _why_no_graph(cfg) -> str | None:
    return "its phase (MLE, D pretraining, adversarial) changes with the step, and its rollouts loop in Python"


FAMILY = text.text_family(build, train_step, Options, headline=("nll", "loss_D", "reward"), graphable=_why_no_graph)
