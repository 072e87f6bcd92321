"""How well an image-to-image run translates, measured on its data's test split.

- Pixel metrics against ground truth where it exists (pix2pix's targets; CycleGAN
  on edges_unpaired, whose test split keeps the true garment of each edge map):
  L1, PSNR, SSIM (gankit.metrics.translation).
- The analogue of the papers' FCN-score, on tasks made from Fashion-MNIST: the
  domain classifier's accuracy on translations for the class they should show
  (`accuracy`), beside its accuracy on real images of that class
  (`accuracy_real`, the ceiling) and on the untranslated inputs
  (`accuracy_input`, the floor); FID of translations against real images of the
  target domain in the same classifier's features.
- CycleGAN: the cycle reconstruction error (L1) each way. StarGAN: the reconstruction error (L1 of x
  into each target domain, or with each attribute flipped, and back), accuracy and its error per target
  domain (the paper's RaFD table), and FID per domain.

On a user's own data (no classifier of its domain) only pixel metrics and the
reconstruction errors are reported, and the result says so. Each family's own
scoring (what it translates, which way, into which domains) lives in its module
in gankit.objectives; this module holds what they share.
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from gankit.data import load_dataset
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features

# Built-in tasks made from Fashion-MNIST: the domain classifier reads their garments.
FASHION_TASKS = ("edges2fashion", "sandal2sneaker", "shirt2tshirt", "edges_unpaired", "footwear", "tops")
# Tasks whose domain A holds edge maps: the classifier has no class to read there.
EDGE_TASKS = ("edges2fashion", "edges_unpaired")
NO_CLASSIFIER = ("class accuracy and FID need a classifier of the data's domain; this data is not one of gankit's "
                 "Fashion-MNIST tasks, so only pixel metrics and reconstruction errors are reported")


class Judge:
    """The Fashion-MNIST domain classifier, on images resized to its 28 x 28 where a run trained smaller."""

    def __init__(self, device: torch.device):
        self.model = load_extractor("fashion_mnist").to(device)

    def read(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(features (N, 128), class probabilities (N, 10)) of images (N, 1, H, W) in [-1, 1]."""
        if images.shape[-1] != 28:
            images = F.interpolate(images.float(), size=(28, 28), mode="bilinear", antialias=True,
                                   align_corners=False).clamp(-1, 1)
        return extract_features(images, self.model)

    def scores(self, fake: torch.Tensor, real: torch.Tensor, inputs: torch.Tensor | None,
               intended: torch.Tensor, real_classes: torch.Tensor) -> dict:
        """FID of fake vs real, and the share of fake / real / inputs classified as intended (real: its own classes)."""
        input_probs = self.read(inputs)[1] if inputs is not None else None
        return self.scores_read(fake, self.read(real), input_probs, intended, real_classes)

    def scores_read(self, fake: torch.Tensor, real_read: tuple[torch.Tensor, torch.Tensor],
                    input_probs: torch.Tensor | None, intended: torch.Tensor, real_classes: torch.Tensor) -> dict:
        """`scores`, with the real images and the inputs already read (for callers that reuse them)."""
        fake_f, fake_p = self.read(fake)
        real_f, real_p = real_read
        enough = len(real_f) >= 2 and len(fake_f) >= 2  # a covariance needs two
        out = {"fid": fid_from_features(real_f, fake_f) if enough else None,
               "accuracy": _share(fake_p, intended),
               "accuracy_real": _share(real_p, real_classes) if len(real_p) else None}
        if input_probs is not None:
            out["accuracy_input"] = _share(input_probs, intended)
        return out


def _share(probs: torch.Tensor, classes: torch.Tensor) -> float:
    return float((probs.argmax(1) == classes.cpu()).double().mean())


def translation_scorer(parts, request, evaluate_fn):
    """score() -> a translation family's metrics, evaluate_fn(parts, test, n, judge), on the first n examples of
    its data's test split; the split and the classifier are loaded once."""
    test = load_dataset(dataclasses.replace(parts.cfg.data, split="test", limit=None, jitter=False))
    judge = Judge(torch.device(request.device)) if parts.cfg.data.name in FASHION_TASKS else None

    def score() -> dict:
        out = evaluate_fn(parts, test, request.n, judge)
        if judge is None:
            out["note"] = NO_CLASSIFIER
        return out
    return score
