"""Metrics during training: one number every train.eval_every steps, and the best checkpoint."""

from __future__ import annotations

import torch

from gankit.config import Config
from gankit.metrics.conditional import gan_test_accuracy, intra_class_fid
from gankit.metrics.evaluate import (LOWER_IS_BETTER, data_kind, evaluate_toy, feature_metrics,
                                     reference_features, split_of)
from gankit.metrics.features import default_extractor, extract_features, load_extractor
from gankit.data import load_dataset
from gankit.errors import GankitError

AUTO = {"image": "fid", "toy1d": "w1", "toy2d": "modes_reached"}
# Metrics that can steer the best checkpoint, and the group of gankit.metrics.evaluate that computes each.
IMAGE_GROUPS = {"fid": "fid", "kid": "kid", "is": "is", "precision": "pr", "recall": "pr",
                "density": "dc", "coverage": "dc", "intra_fid": "intra_fid", "gan_test": "gan_test"}
LABELLED = ("intra_fid", "gan_test")  # need the labels the samples were generated for (a conditional family)
TOY_GROUPS = {"w1": "w1", "kl": "w1", "js": "w1", "modes_reached": "modes", "high_quality_share": "modes"}


class TrainingEvaluator:
    """Scores G on a fixed noise set against the data, cheaply enough to run during training."""

    def __init__(self, cfg: Config, data, family, parts):
        kind = data_kind(data)
        self.metric = AUTO[kind] if cfg.train.eval_metric == "auto" else cfg.train.eval_metric
        self.lower_is_better = self.metric in LOWER_IS_BETTER
        self.data, self.kind = data, kind
        self.inputs = family.inputs(parts, cfg.train.eval_n, torch.Generator().manual_seed(cfg.train.seed * 3 + 4))
        groups = IMAGE_GROUPS if kind == "image" else TOY_GROUPS
        if self.metric not in groups:
            raise GankitError(f"train.eval_metric '{self.metric}' does not apply to {'image' if kind == 'image' else 'toy'} "
                              f"data; use auto or one of {', '.join(groups)}.")
        self.group = groups[self.metric]
        if self.group in LABELLED and "y" not in self.inputs:
            raise GankitError(f"train.eval_metric '{self.metric}' needs a conditional generator; set "
                              "objective=conditional or choose another metric.")
        if kind == "image":
            test = load_dataset(split_of(cfg.data, "test"))
            self.real_labels, self.num_classes = test.labels, test.num_classes
            name = default_extractor(cfg.data.name, tuple(test.shape))
            device = next(parts.sampling_net().parameters()).device
            self.extractor = load_extractor(name).to(device)  # features on the training device, math on the CPU
            self.real_features, self.real_probs = reference_features(test.images, name, self.extractor)

    @torch.no_grad()
    def __call__(self, family, parts) -> float:
        """The metric of the family's samples on the fixed inputs (eval mode, no RNG consumed)."""
        fake = family.generate(parts, self.inputs)
        if self.kind == "image":
            fake_features, fake_probs = extract_features(fake, self.extractor)
            if self.group == "intra_fid":
                result = intra_class_fid(self.real_features, self.real_labels, fake_features, self.inputs["y"],
                                         self.num_classes)
            elif self.group == "gan_test":
                result = gan_test_accuracy(fake_probs, self.inputs["y"], self.num_classes)
            else:
                result = feature_metrics([self.group], self.real_features, self.real_probs, fake_features,
                                         fake_probs, torch.Generator().manual_seed(0))
        else:
            result = evaluate_toy(fake, self.data, [self.group])
        return float(result[self.metric])

    def better(self, value: float, best: float | None) -> bool:
        """Whether value beats the best so far."""
        if best is None:
            return True
        return value < best if self.lower_is_better else value > best
