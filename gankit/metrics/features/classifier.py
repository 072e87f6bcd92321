"""A small CNN domain classifier for grey images, the feature space of FID/KID/IS/PR on MNIST-like data.

As TF-GAN's MNIST classifier score, a network trained on the data's own domain
replaces Inception where ImageNet features say little (28x28 or 8x8 grey images).
Its penultimate layer (128-d after ReLU) gives features; its logits give class
probabilities. Shipped weights live in gankit/metrics/weights/ and are made by
scripts/train_classifier.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file

from gankit.errors import GankitError

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
CLASSIFIERS = {"fashion_mnist": 28, "digits": 8}  # name -> image resolution


class DomainClassifier(nn.Module):
    """Three conv blocks (conv-BN-ReLU, max-pool while the map is >= 4 pixels), a hidden dense layer, 10 logits."""

    weights_id = "random"  # which weights are loaded; load_classifier sets a file digest

    def __init__(self, resolution: int = 28, channels: tuple[int, ...] = (32, 64, 64),
                 hidden: int = 128, num_classes: int = 10, dropout: float = 0.3):
        super().__init__()
        self.resolution = int(resolution)
        self.num_classes = int(num_classes)
        layers, size, prev = [], self.resolution, 1
        for width in channels:
            layers += [nn.Conv2d(prev, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            if size >= 4:
                layers.append(nn.MaxPool2d(2))
                size //= 2
            prev = width
        self.conv = nn.Sequential(*layers)
        self.hidden = nn.Linear(prev * size * size, hidden)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_classes)
        self.feature_dim = int(hidden)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The (C, H, W) of images this classifier takes."""
        return (1, self.resolution, self.resolution)

    def check_shape(self, shape) -> None:
        """Raise a GankitError unless images of shape (C, H, W) fit this classifier."""
        if tuple(shape) == self.input_shape:
            return
        r = self.resolution
        fits = {(1, size, size): name for name, size in CLASSIFIERS.items()}.get(tuple(shape), "inception")
        have = "x".join(str(s) for s in shape)
        raise GankitError(f"the {r}x{r} domain classifier takes grey 1x{r}x{r} images, not {have}; "
                          f"use the '{fits}' feature extractor for these images.")

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features (B, hidden) of images (B, 1, R, R) in [-1, 1]."""
        self.check_shape(x.shape[1:])
        h = self.conv(x)                    # (B, C', R', R')
        return F.relu(self.hidden(h.flatten(1)))  # (B, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits (B, num_classes) of images (B, 1, R, R) in [-1, 1]."""
        return self.head(self.dropout(self.features(x)))

    def features_and_probs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Features (B, hidden) and softmax class probabilities (B, num_classes) in one pass."""
        h = self.features(x)                # (B, hidden)
        return h, F.softmax(self.head(self.dropout(h)), dim=1)


def weight_paths(name: str) -> tuple[Path, Path]:
    """The (safetensors, json) files of the shipped classifier `name`."""
    return WEIGHTS_DIR / f"{name}_classifier.safetensors", WEIGHTS_DIR / f"{name}_classifier.json"


def load_classifier(name: str) -> DomainClassifier:
    """The shipped classifier for 'fashion_mnist' or 'digits', in eval mode with frozen weights."""
    if name not in CLASSIFIERS:
        raise GankitError(f"no domain classifier named {name!r}; choose one of: {', '.join(CLASSIFIERS)}.")
    weights, meta_path = weight_paths(name)
    if not weights.is_file() or not meta_path.is_file():
        raise GankitError(f"the {name} classifier weights ({weights.name}) are missing from {WEIGHTS_DIR}; "
                          f"train them with `python scripts/train_classifier.py --dataset {name}`.")
    try:
        meta = json.loads(meta_path.read_text())
        model = DomainClassifier(**meta["arch"])
        state = {k: v.float() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()}
        model.load_state_dict(state, strict=True)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise GankitError(f"the {name} classifier weights in {WEIGHTS_DIR} cannot be loaded ({exc}); retrain them "
                          f"with `python scripts/train_classifier.py --dataset {name}`.") from None
    model.weights_id = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model
