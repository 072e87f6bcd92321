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
reconstruction errors are reported, and the result says so.
"""

from __future__ import annotations

import dataclasses

import torch
import torch.nn.functional as F

from gankit.data import load_dataset, to_float
from gankit.data.idx import FASHION_MNIST_CLASSES
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features
from gankit.metrics.translation import l1_distance, pixel_metrics

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


def _translate(run, inputs: dict) -> torch.Tensor:
    return run.family.generate(run.parts, inputs, chunk=256)


def _pix2pix(run, test, n: int, judge: Judge | None) -> dict:
    a, b = to_float(test.a[:n]), to_float(test.b[:n])
    fake = _translate(run, {"x": a})
    out = {"n": len(a), **pixel_metrics(fake, b)}
    if judge is not None and test.labels is not None:
        labels = test.labels[:n]
        out |= judge.scores(fake, b, a, labels, labels)
    return out


def _cyclegan(run, test, n: int, judge: Judge | None) -> dict:
    name = run.cfg.data.name
    a, b = to_float(test.a[:n]), to_float(test.b[:n])
    ab, ba = _translate(run, {"x": a}), _translate(run, {"x": b, "direction": "BtoA"})
    out = {"n": min(len(a), len(b)),
           "cycle_AtoB": l1_distance(_translate(run, {"x": ab, "direction": "BtoA"}), a),
           "cycle_BtoA": l1_distance(_translate(run, {"x": ba}), b)}
    if test.pairs_b is not None:
        out |= pixel_metrics(ab, to_float(test.pairs_b[:n]), prefix="AtoB_")
    if judge is None or test.labels_a is None or test.labels_b is None:
        return out
    labels_a, labels_b = test.labels_a[:n], test.labels_b[:n]
    if name in EDGE_TASKS:  # A is edges: A -> B should show the garment the edges were drawn from
        out |= {f"{k}_AtoB": v for k, v in judge.scores(ab, b, a, labels_a, labels_b).items()}
        return out
    for direction, fake, real, src, real_labels in (("AtoB", ab, b, a, labels_b), ("BtoA", ba, a, b, labels_a)):
        intended = torch.full((len(fake),), int(real_labels[0]))
        out |= {f"{k}_{direction}": v for k, v in judge.scores(fake, real, src, intended, real_labels).items()}
    return out


def _targets(x: torch.Tensor, y: torch.Tensor, domain: int, multi: bool) -> tuple[dict, dict]:
    """The inputs of x's translation into `domain` (attributes: that attribute flipped) and of the way back."""
    zeros = torch.zeros(len(x), dtype=torch.int64)
    if multi:
        target = y.clone()
        target[:, domain] = 1 - target[:, domain]
        return {"x": x, "y": zeros, "c": target}, {"y": zeros, "c": y}
    return {"x": x, "y": torch.full((len(x),), domain, dtype=torch.int64)}, {"y": y}


def _stargan(run, test, n: int, judge: Judge | None) -> dict:
    x, y = to_float(test.images[:n]), test.labels[:n]
    k = int(run.parts.counters["num_classes"])
    multi = bool(run.parts.counters.get("multi_label"))
    judged = judge is not None and not multi  # the classifier reads exclusive Fashion-MNIST domains only
    per_domain: dict[str, list] = {"reconstruction": []}
    if judged:
        per_domain |= {"accuracy": [], "accuracy_real": [], "accuracy_input": [], "fid": []}
        names = run.spec.class_names
        x_f, x_p = judge.read(x)  # the inputs are read once: they are also each domain's real images
    for domain in range(k):
        there, back = _targets(x, y, domain, multi)
        fake = _translate(run, there)
        # The paper's reconstruction loss as a metric: into the target domain and back, L1 to x (any data).
        per_domain["reconstruction"].append(l1_distance(_translate(run, {"x": fake, **back}), x))
        if judged:
            cls = FASHION_MNIST_CLASSES.index(names[domain])
            mine = y == domain  # may be none in a small n: that domain's ceiling and FID are then unknown
            scores = judge.scores_read(fake, (x_f[mine], x_p[mine]), x_p, torch.full((len(x),), cls),
                                       torch.full((int(mine.sum()),), cls))
            for key in per_domain.keys() - {"reconstruction"}:
                per_domain[key].append(scores[key])
    out: dict = {"n": len(x)}
    for key, values in per_domain.items():
        known = [v for v in values if v is not None]
        out[key] = sum(known) / len(known) if known else None
        out[f"{key}_per_class"] = values
    if judged:
        out["error_per_class"] = [1 - v for v in per_domain["accuracy"]]
    return out


EVALUATORS = {"pix2pix": _pix2pix, "cyclegan": _cyclegan, "stargan": _stargan}


def evaluate_translation(run, n: int = 10000, device: torch.device | str = "cpu") -> dict:
    """Scores of a translation run (gankit.api.Run) on the first n examples of its data's test split."""
    test = load_dataset(dataclasses.replace(run.cfg.data, split="test", limit=None, jitter=False))
    judge = Judge(torch.device(device)) if run.cfg.data.name in FASHION_TASKS else None
    out = {"step": run.step, **EVALUATORS[run.cfg.objective](run, test, n, judge)}
    if judge is None:
        out["note"] = NO_CLASSIFIER
    return out
