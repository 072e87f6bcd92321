"""Metrics during training: one number every train.eval_every steps, and the best checkpoint."""

from __future__ import annotations

import torch
from torch import nn

from gankit.config import Config
from gankit.metrics.evaluate import (LOWER_IS_BETTER, data_kind, evaluate_toy, reference_features,
                                     split_of)
from gankit.metrics.features import default_extractor, extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.objectives import sample_z

AUTO = {"image": "fid", "toy1d": "w1", "toy2d": "modes_reached"}


class TrainingEvaluator:
    """Scores G on a fixed noise set against the data, cheaply enough to run during training."""

    def __init__(self, cfg: Config, data):
        kind = data_kind(data)
        self.metric = AUTO[kind] if cfg.train.eval_metric == "auto" else cfg.train.eval_metric
        self.lower_is_better = self.metric in LOWER_IS_BETTER
        self.data, self.kind = data, kind
        self.z = sample_z(cfg.train.eval_n, cfg.model.z_dim, cfg.model.z_dist,
                          torch.Generator().manual_seed(cfg.train.seed * 3 + 4))
        if kind == "image":
            if self.metric != "fid":
                raise GankitError(f"train.eval_metric '{self.metric}' is not measured during training on images; use fid.")
            test = load_dataset(split_of(cfg.data, "test"))
            name = default_extractor(cfg.data.name, tuple(test.shape))
            self.extractor = load_extractor(name)
            self.real_features, _ = reference_features(test.images, name, self.extractor)
        elif self.metric not in ("w1", "kl", "js", "modes_reached", "high_quality_share"):
            raise GankitError(f"train.eval_metric '{self.metric}' does not apply to toy data; "
                              "use w1, kl or js (1-D) or modes_reached or high_quality_share (2-D).")

    @torch.no_grad()
    def __call__(self, G: nn.Module) -> float:
        """The metric of G's samples on the fixed noise (G in eval mode, no RNG consumed)."""
        was = G.training
        G.eval()
        try:
            fake = torch.cat([G(z) for z in self.z.split(500)])
        finally:
            G.train(was)
        if self.kind == "image":
            fake_features, _ = extract_features(fake, self.extractor)
            return fid_from_features(self.real_features, fake_features)
        names = ["w1"] if self.kind == "toy1d" else ["modes"]
        return float(evaluate_toy(fake, self.data, names)[self.metric])

    def better(self, value: float, best: float | None) -> bool:
        """Whether value beats the best so far."""
        if best is None:
            return True
        return value < best if self.lower_is_better else value > best
