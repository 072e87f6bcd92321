"""Training: the loop, checkpoints, run folders, EMA."""

from gankit.train.loop import DivergedError, train_run

__all__ = ["DivergedError", "train_run"]
