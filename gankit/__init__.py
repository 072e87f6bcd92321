"""gankit: train, evaluate, compare and explain Generative Adversarial Networks."""

from gankit.api import Run, evaluate, load_run, sample, train, translate
from gankit.config import Config, list_recipes, load_config
from gankit.errors import GankitError
from gankit.export import export_run, load_generator

__version__ = "0.1.0"

__all__ = ["Config", "GankitError", "Run", "evaluate", "export_run", "list_recipes", "load_config", "load_generator",
           "load_run", "sample", "train", "translate"]
