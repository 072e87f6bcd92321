"""Training-step families: how a D step and a G step are computed from a batch."""

from gankit.objectives.gan import GANObjective, sample_z

OBJECTIVES = {"gan": GANObjective}

__all__ = ["OBJECTIVES", "GANObjective", "sample_z"]
