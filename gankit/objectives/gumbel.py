"""A Gumbel-softmax text GAN (objective: gumbel), as RelGAN (Nie et al. 2019) trains its generator.

After gumbel.mle_steps of maximum likelihood, each adversarial step draws G's sequences with the Gumbel-max
trick and hands D their relaxed one-hot vectors softmax(beta * (logits + g)), so D's judgement is
differentiable in G's weights. The inverse temperature beta rises from 1 to gumbel.beta_max over
gumbel.anneal_steps adversarial steps, exponentially (RelGAN's "exp": beta_max ** (i / N)) or linearly;
anneal_steps 0 (the default) means every adversarial step the run is configured for when it starts
(train.steps - gumbel.mle_steps), so a short run reaches beta_max on its last step (one well-known toolkit
fixes N at 5000, so short runs never do). That length is kept in the run's counters: a resume that raises
train.steps keeps the schedule it started with; set anneal_steps to plan a longer one. The loss is the relativistic standard GAN's (RSGAN): D minimises softplus(-(D(real) - D(fake))),
G softplus(-(D(fake) - D(real))). Each G update is followed by gumbel.adv_d_steps D updates. The Gumbel
noise comes from the step context's streams, so resume is bit-exact; the annealing reads the step, so the
step is not one CUDA graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gankit.data import DataSpec
from gankit.models.text_cnn import build_text_cnn
from gankit.objectives import text
from gankit.objectives.parts import OptimizerSpec, Parts, option


@dataclass
class Options:
    """The Gumbel-softmax family's keys (section `gumbel:`)."""

    mle_steps: int = option(18750, "maximum-likelihood steps first", low=0)
    beta_max: float = option(100.0, "the inverse temperature the annealing ends at (RelGAN: 100; 1-2 for "
                             "diversity)", low=1)
    anneal: str = option("exp", "how beta rises from 1: exp (beta_max ** (i / N)) | linear", choices=("exp", "linear"))
    anneal_steps: int = option(0, "adversarial steps over which beta rises (0: all those configured at the start)",
                               low=0)
    adv_d_steps: int = option(5, "D updates after each adversarial G update", low=0)
    grad_clip: float = option(5.0, "the largest norm of G's gradients", low=0, low_inclusive=False)


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G, and a CNN D that reads one-hot or relaxed one-hot sequences (and the oracle, on the oracle benchmark)."""
    nets = text.generator_and_oracle(cfg, spec)
    nets["D"] = build_text_cnn(cfg.model, len(spec.vocab), spec.shape[0])
    anneal = cfg.options.anneal_steps or max(1, cfg.train.steps - cfg.options.mle_steps)
    return Parts(cfg=cfg, nets=nets,
                 optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
                 buffers={"probe_u": text.probe_uniforms(cfg, spec.shape[0])}, counters={"anneal_steps": anneal})


def gumbel_uniforms(parts: Parts, n: int, t) -> torch.Tensor:
    """The uniform numbers (n, L, V) of n sequences' Gumbel noise, from the step context's noise stream."""
    G = parts.nets["G"]
    return t.draw("noise", lambda m, g: G.gumbel_uniforms(m, g), n)


def beta(parts: Parts, step: int) -> float:
    """The inverse temperature of the iteration after `step` completed ones: 1 at the first adversarial step,
    beta_max at the last one of the annealing and after."""
    opts = parts.cfg.options
    last = int(parts.counters["anneal_steps"]) - 1
    share = 1.0 if last <= 0 else min(1.0, max(0, step - opts.mle_steps) / last)
    return opts.beta_max ** share if opts.anneal == "exp" else 1 + (opts.beta_max - 1) * share


def relativistic(d_first: torch.Tensor, d_second: torch.Tensor) -> torch.Tensor:
    """RSGAN's loss of the first batch judged more real than the second: softplus(-(D(first) - D(second)))."""
    return F.softplus(-(d_first.float() - d_second.float())).mean()


def d_step(parts: Parts, data, t, b: float) -> dict:
    """One D update: real sequences (one-hot) against G's relaxed samples at inverse temperature b."""
    D, V = parts.nets["D"], len(parts.spec.vocab)
    real, _ = t.batch(data, parts.cfg.train.batch_size)
    with torch.no_grad():
        _, fake = parts.nets["G"].gumbel_sample(len(real), b, gumbel_uniforms(parts, len(real), t))
    with t.autocast():
        d_real, d_fake = D(F.one_hot(real, V).float()), D(fake)
        loss = relativistic(d_real, d_fake)
    t.update("D", loss)
    return {"loss_D": loss.detach(), "D_real": d_real.detach().float().mean(),
            "D_fake": d_fake.detach().float().mean()}


def g_step(parts: Parts, data, t, b: float) -> dict:
    """One G update through the relaxation: its relaxed samples judged more real than real ones."""
    G, D, V = parts.nets["G"], parts.nets["D"], len(parts.spec.vocab)
    real, _ = t.batch(data, parts.cfg.train.batch_size)
    with t.frozen(D), t.autocast():
        _, fake = G.gumbel_sample(len(real), b, gumbel_uniforms(parts, len(real), t))
        loss = relativistic(D(fake), D(F.one_hot(real, V).float()))
    t.update("G", loss, max_norm=parts.cfg.options.grad_clip)
    return {"loss_G": loss.detach()}


def train_step(parts: Parts, data, t) -> dict:
    """An MLE update, or (after gumbel.mle_steps) a G update through the relaxation and adv_d_steps D updates."""
    opts = parts.cfg.options
    if t.step < opts.mle_steps:
        return text.mle_step(parts, data, t)
    b = beta(parts, t.step)
    stats = g_step(parts, data, t, b)
    for _ in range(opts.adv_d_steps):
        stats |= d_step(parts, data, t, b)
    return stats | {"beta": torch.full((), b, device=t.device)}  # a fill, not a copy from the host


def _why_no_graph(cfg) -> str | None:
    return "its inverse temperature and phase change with the step"


FAMILY = text.text_family(build, train_step, Options, headline=("nll", "loss_D", "beta"), graphable=_why_no_graph)
