"""gankit: train, evaluate, compare and explain Generative Adversarial Networks."""

from gankit.api import Run, load_run, sample, train
from gankit.config import Config, list_recipes, load_config
from gankit.errors import GankitError

__version__ = "0.1.0"

__all__ = ["Config", "GankitError", "Run", "list_recipes", "load_config", "load_run", "sample", "train"]
