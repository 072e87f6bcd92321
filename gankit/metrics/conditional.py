"""Per-class scores of a conditional generator from features and intended labels: intra-class FID and GAN-test.

Intra-class FID (Miyato and Koyama 2018) is the FID of each class's generated
images against that class's real images, and their mean. GAN-test (Shmelkov et
al. 2018) is how often the domain classifier agrees with the label an image was
generated for: quality, class by class. Both take precomputed features or class
probabilities, so they never see a network; the math is float64 on the CPU.
"""

from __future__ import annotations

import torch

from gankit.errors import GankitError
from gankit.metrics.frechet import fid_from_features


def check_labels(labels, n: int, num_classes: int, what: str) -> torch.Tensor:
    """The labels as int64 (n,) on the CPU, or a GankitError when they are missing, misshapen or out of range."""
    if labels is None:
        raise GankitError(f"{what} have no labels; give one class label per image (a conditional generator's y).")
    if num_classes < 1:
        raise GankitError(f"{what} need a labelled dataset, and this one has no classes; "
                          "choose a dataset with labels (fashion_mnist, digits, cifar10, ...).")
    labels = torch.as_tensor(labels)
    if labels.shape != (n,) or labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise GankitError(f"{what} need one integer label per image, shape ({n},), "
                          f"got {labels.dtype} {tuple(labels.shape)}.")
    labels = labels.to(torch.int64).cpu()
    if n and (labels.min() < 0 or labels.max() >= num_classes):
        raise GankitError(f"{what} have labels from {int(labels.min())} to {int(labels.max())}, outside the "
                          f"{num_classes} classes 0..{num_classes - 1}; give labels in that range.")
    return labels


def per_class_mean(values: torch.Tensor, labels: torch.Tensor, num_classes: int) -> list[float | None]:
    """The mean of values (N,) over the items of each class (None for a class with none): per-class accuracy of hits."""
    values = values.double()
    return [values[labels == c].mean().item() if bool((labels == c).any()) else None for c in range(num_classes)]


def _skipped(c: int, n_real: int, n_fake: int, need: int) -> str:
    """One line saying why class c has no score."""
    return f"class {c}: {n_real} real and {n_fake} generated images, needs at least {need} of each"


def intra_class_fid(real_features, real_labels, fake_features, fake_labels, num_classes: int,
                    min_samples: int = 2) -> dict:
    """FID per class (generated images of class c against real images of class c) and their mean.

    Returns {"intra_fid": mean over the scored classes (None if none),
    "intra_fid_per_class": [FID or None] * num_classes, "intra_fid_classes":
    how many classes were scored, "intra_fid_skipped": one line per class left out
    because it has fewer than `min_samples` (at least 2) real or generated images}.
    """
    real_f, fake_f = torch.as_tensor(real_features), torch.as_tensor(fake_features)
    real_y = check_labels(real_labels, len(real_f), num_classes, "real images")
    fake_y = check_labels(fake_labels, len(fake_f), num_classes, "generated images")
    need = max(2, int(min_samples))  # a covariance needs two samples
    per_class, skipped = [], []
    for c in range(num_classes):
        real_c, fake_c = real_f[real_y == c], fake_f[fake_y == c]
        if len(real_c) < need or len(fake_c) < need:
            per_class.append(None)
            skipped.append(_skipped(c, len(real_c), len(fake_c), need))
        else:
            per_class.append(fid_from_features(real_c, fake_c))
    scored = [v for v in per_class if v is not None]
    mean = sum(scored) / len(scored) if scored else None
    return {"intra_fid": mean, "intra_fid_per_class": per_class, "intra_fid_classes": len(scored),
            "intra_fid_skipped": skipped}


def gan_test_accuracy(fake_probs, fake_labels, num_classes: int) -> dict:
    """How often the classifier's top class (from probabilities (N, K)) is the intended label, overall and per class.

    Returns {"gan_test": accuracy over all images, "gan_test_per_class":
    [accuracy or None] * num_classes, "gan_test_skipped": one line per class with
    no generated images}.
    """
    probs = torch.as_tensor(fake_probs).double()
    if probs.dim() != 2 or probs.shape[1] != num_classes or len(probs) == 0:
        raise GankitError(f"GAN-test needs class probabilities (N >= 1, {num_classes}) from a classifier of the "
                          f"dataset's {num_classes} classes, got {tuple(probs.shape)}; score with the dataset's "
                          "domain classifier (fashion_mnist or digits).")
    labels = check_labels(fake_labels, len(probs), num_classes, "generated images")
    correct = (probs.argmax(dim=1) == labels).double()  # (N,)
    per_class = per_class_mean(correct, labels, num_classes)
    skipped = [f"class {c}: no generated images" for c, v in enumerate(per_class) if v is None]
    return {"gan_test": correct.mean().item(), "gan_test_per_class": per_class, "gan_test_skipped": skipped}
