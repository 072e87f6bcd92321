"""GAN families: each one module that declares what it trains (Parts), writes its own step and says how it is
sampled, scored and configured (Family). A new family is one module and one line here."""

from gankit.objectives import gan
from gankit.objectives import conditional  # after gan: it builds on gan's step
from gankit.objectives import cyclegan, pix2pix, stargan
from gankit.objectives import gumbel, mle, seqgan, srgan
from gankit.objectives import nextframe
from gankit.objectives.parts import Argument, EvalRequest, Evaluation, Family, OptimizerSpec, Parts, option
from gankit.objectives.sampling import generate, sample_z

OBJECTIVES: dict[str, Family] = {"gan": gan.FAMILY, "conditional": conditional.FAMILY, "pix2pix": pix2pix.FAMILY,
                                 "cyclegan": cyclegan.FAMILY, "stargan": stargan.FAMILY, "mle": mle.FAMILY,
                                 "seqgan": seqgan.FAMILY, "gumbel": gumbel.FAMILY,
                                 "srgan": srgan.FAMILY, "nextframe": nextframe.FAMILY}

# What a config trains when it names no objective: the GAN of Goodfellow et al. 2014.
DEFAULT_OBJECTIVE = "gan"

__all__ = ["DEFAULT_OBJECTIVE", "OBJECTIVES", "Argument", "EvalRequest", "Evaluation", "Family", "OptimizerSpec", "Parts", "generate",
           "option", "sample_z"]
