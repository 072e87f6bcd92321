"""Feature extractors for FID/KID/IS/PR: small domain classifiers for grey MNIST-like data, Inception-v3 for the rest.

Every extractor has `features_and_probs(x) -> (features (B, F), probs (B, K))`,
`check_shape((C, H, W))`, `max_batch` and `weights_id` (which weights it holds,
for caches).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.metrics.features.classifier import DomainClassifier, load_classifier
from gankit.metrics.features.inception import FIDInceptionV3, load_inception
from gankit.metrics.features.training import as_float

EXTRACTORS = {
    "fashion_mnist": lambda inception_weights=None: load_classifier("fashion_mnist"),
    "digits": lambda inception_weights=None: load_classifier("digits"),
    "inception": lambda inception_weights=None: load_inception(inception_weights),
}


def load_extractor(name: str, inception_weights: str | None = None) -> nn.Module:
    """The extractor called `name`, in eval mode (inception_weights: path for 'inception', else ignored)."""
    loader = EXTRACTORS.get(name)
    if loader is None:
        raise GankitError(f"unknown feature extractor {name!r}; choose one of: {', '.join(EXTRACTORS)}.")
    return loader(inception_weights)


def default_extractor(data_name: str, shape) -> str:
    """The extractor that fits images of shape (C, H, W): a domain classifier for 1x28x28 or 1x8x8, else inception."""
    shape = tuple(shape)
    if shape == (1, 28, 28):
        return "fashion_mnist"
    if shape == (1, 8, 8):
        return "digits"
    return "inception"


def _check_images(images) -> None:
    """Raise a GankitError unless images is a uint8 or float tensor (N, C, H, W)."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise GankitError(f"feature extraction needs images as a tensor (N, C, H, W), got {shape}.")
    if images.dtype != torch.uint8 and not images.is_floating_point():
        raise GankitError(f"images must be uint8 or float in [-1, 1], got {images.dtype}.")
    if images.shape[0] == 0:
        raise GankitError("feature extraction got no images; give at least one.")


@torch.no_grad()
def extract_features(images: torch.Tensor, extractor, batch_size: int = 500) -> tuple[torch.Tensor, torch.Tensor]:
    """Features (N, F) and class probabilities (N, K), float32 on the CPU, of images (N, C, H, W) in [-1, 1] or uint8."""
    # extractor: a loaded extractor or a name in EXTRACTORS. Batches hold at most batch_size
    # images, fewer where the extractor's max_batch is smaller (Inception's 299x299 activations).
    if isinstance(extractor, str):
        extractor = load_extractor(extractor)
    _check_images(images)
    extractor.check_shape(tuple(images.shape[1:]))
    if batch_size < 1:
        raise GankitError(f"batch_size must be at least 1, got {batch_size}.")
    step = min(batch_size, getattr(extractor, "max_batch", batch_size))
    device = next(extractor.parameters()).device
    was_training = extractor.training
    extractor.eval()
    feats, probs = [], []
    try:
        for start in range(0, images.shape[0], step):
            x = as_float(images[start:start + step]).to(device)  # (B, C, H, W)
            f, p = extractor.features_and_probs(x)                 # (B, F), (B, K)
            feats.append(f.float().cpu())
            probs.append(p.float().cpu())
    finally:
        extractor.train(was_training)
    return torch.cat(feats), torch.cat(probs)


__all__ = [
    "EXTRACTORS", "DomainClassifier", "FIDInceptionV3", "default_extractor", "extract_features",
    "load_classifier", "load_extractor", "load_inception",
]
