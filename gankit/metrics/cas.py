"""Classification Accuracy Score (Ravuri and Vinyals 2019), the "GAN-train" of Shmelkov et al. 2018.

A classifier trained from scratch on generated images only, labelled with the
labels they were generated for, is tested on the real test split, beside the
same classifier (architecture, steps, seed) trained on the real training split.
A generator that covers every class in all its variety scores close to the real
baseline; one that drops modes or mixes classes scores lower, whatever its FID.
The classifier is gankit's grey DomainClassifier (gankit.metrics.features.training).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.errors import GankitError
from gankit.metrics.conditional import per_class_mean
from gankit.metrics.features.classifier import DomainClassifier
from gankit.metrics.features.training import (
    ARCH, check_labelled_images, dataset_hash, predictions, steps_for, train_classifier,
)

# The budget, in passes over the real training split. On Fashion-MNIST (60,000 images, batch 128:
# 1,407 steps) the real-trained classifier reaches 90.3% test accuracy; times are in the README.
CAS_EPOCHS = 3.0


def default_shift(resolution: int) -> int:
    """The random-shift augmentation, about 1/14 of the side (2 px at 28x28, 1 px at 8x8), as the shipped classifiers."""
    return max(1, round(resolution / 14))


def _baseline_path(cache_dir: Path, train, settings: dict) -> Path:
    """Where the real-trained classifier for this training data and these settings is cached."""
    key = json.dumps({"data": dataset_hash(train.images, train.labels), **settings}, sort_keys=True)
    return Path(cache_dir) / f"cas-real-{hashlib.sha256(key.encode()).hexdigest()[:20]}.safetensors"


def real_baseline(train, settings: dict, device: torch.device, cache_dir: Path | None) -> DomainClassifier:
    """The classifier trained on the real training split, read from (or written to) cache_dir when one is given."""
    path = _baseline_path(cache_dir, train, settings) if cache_dir is not None else None
    if path is not None and path.is_file():
        try:
            model = DomainClassifier(train.shape[-1], num_classes=settings["num_classes"], **ARCH)
            model.load_state_dict(load_file(str(path)), strict=True)
            return model.to(device).eval()
        except Exception:  # a damaged cache entry is retrained, never trusted
            pass
    model = train_classifier(train.images, train.labels, settings["steps"], settings["batch_size"], settings["lr"],
                             settings["shift"], settings["seed"], settings["num_classes"], device)
    if path is not None:
        state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda f: f.write(save(state, metadata={"settings": json.dumps(settings)})))
    return model


def classification_accuracy_score(fake_images: torch.Tensor, fake_labels: torch.Tensor, real_train, real_test,
                                  epochs: float = CAS_EPOCHS, batch_size: int = 128, lr: float = 2e-3,
                                  shift: int | None = None, seed: int = 0,
                                  device: torch.device = torch.device("cpu"),
                                  cache_dir: Path | None = None) -> dict:
    """CAS of generated images (N, 1, R, R) with their intended labels, against labelled ImageDatasets.

    Both classifiers take steps_for(len(real_train), epochs, batch_size) steps,
    whatever the number of generated images (the caller draws as many as the real
    training split, labels uniform). Returns {"cas": test accuracy of the
    classifier trained on generated images, "cas_real_accuracy": that of the one
    trained on real_train, "cas_gap": their difference, "cas_per_class": CAS of
    each test class, "cas_steps", "cas_epochs"}. cache_dir keeps the real-trained
    classifier between calls (safetensors, keyed by data and settings).
    """
    num_classes = real_train.num_classes
    for data, what in ((real_train, "the real training split"), (real_test, "the real test split")):
        if data.labels is None or data.num_classes < 1:
            raise GankitError(f"CAS needs class labels, and {what} of {data.name} has none; "
                              "choose a labelled dataset (fashion_mnist, digits, ...).")
        check_labelled_images(data.images, data.labels, num_classes, what)
    check_labelled_images(fake_images, fake_labels, num_classes, "generated images")
    if tuple(fake_images.shape[1:]) != tuple(real_train.shape):
        raise GankitError(f"generated images are {tuple(fake_images.shape[1:])} but {real_train.name} is "
                          f"{tuple(real_train.shape)}; generate at the dataset's resolution.")
    device = torch.device(device)
    settings = {"steps": steps_for(len(real_train), epochs, batch_size), "batch_size": batch_size, "lr": lr,
                "shift": default_shift(real_train.shape[-1]) if shift is None else shift, "seed": seed,
                "num_classes": num_classes, "arch": ARCH, "device": device.type, "torch": torch.__version__}
    real_model = real_baseline(real_train, settings, device, cache_dir)
    fake_model = train_classifier(fake_images, torch.as_tensor(fake_labels), settings["steps"], batch_size, lr,
                                  settings["shift"], seed, num_classes, device)
    test_y = real_test.labels.cpu()
    pred_fake, pred_real = predictions(fake_model, real_test.images), predictions(real_model, real_test.images)
    cas = (pred_fake == test_y).double().mean().item()
    real = (pred_real == test_y).double().mean().item()
    return {"cas": cas, "cas_real_accuracy": real, "cas_gap": real - cas,
            "cas_per_class": per_class_mean(pred_fake == test_y, test_y, num_classes),
            "cas_steps": settings["steps"], "cas_epochs": epochs}
