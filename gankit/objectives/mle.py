"""Maximum likelihood (objective: mle): the LSTM language model trained by teacher forcing alone.

The baseline every text GAN must beat (Caccia et al. 2020 find that, at a tuned temperature, it does not
lose to them). One iteration is one Adam step on the cross-entropy of a batch of real sequences, the
gradients' norm clipped to mle.grad_clip (5, as SeqGAN's code).
"""

from __future__ import annotations

from dataclasses import dataclass

from gankit.data import DataSpec
from gankit.objectives import text
from gankit.objectives.parts import OptimizerSpec, Parts, option


@dataclass
class Options:
    """MLE's keys (section `mle:`)."""

    grad_clip: float = option(5.0, "the gradients' largest norm", low=0, low_inclusive=False)


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """The LSTM G for the data's vocabulary and length (and the oracle, on the oracle benchmark)."""
    return Parts(cfg=cfg, nets=text.generator_and_oracle(cfg, spec),
                 optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",))}, emas={"G_ema": "G"},
                 buffers={"probe_u": text.probe_uniforms(cfg, spec.shape[0])})


train_step = text.mle_step  # one maximum-likelihood update on a batch of real sequences

FAMILY = text.text_family(build, train_step, Options, headline=("nll",))
