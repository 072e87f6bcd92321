"""GAN families: each one module that declares what it trains (Parts) and writes its own step."""

from gankit.objectives import gan
from gankit.objectives import conditional  # after gan: it builds on gan's step
from gankit.objectives import cyclegan, pix2pix, stargan
from gankit.objectives.parts import Family, OptimizerSpec, Parts
from gankit.objectives.sampling import generate, sample_z

OBJECTIVES: dict[str, Family] = {"gan": gan.FAMILY, "conditional": conditional.FAMILY, "pix2pix": pix2pix.FAMILY,
                                 "cyclegan": cyclegan.FAMILY, "stargan": stargan.FAMILY}

__all__ = ["OBJECTIVES", "Family", "OptimizerSpec", "Parts", "generate", "sample_z"]
