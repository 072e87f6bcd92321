"""Training-step families: how a D step and a G step are computed from a batch."""

from gankit.objectives.gan import GANObjective, generate, sample_z

OBJECTIVES = {"gan": GANObjective}

__all__ = ["OBJECTIVES", "GANObjective", "generate", "sample_z"]
