"""Training and scoring gankit's DomainClassifier: the shipped feature extractors and Classification Accuracy Score.

One loop serves both: scripts/train_classifier.py trains the shipped weights with
it, and gankit.metrics.cas trains classifiers on generated and on real images
with it, so both see the same optimiser (Adam, cosine decay to 0), the same
augmentation (random shifts) and the same fixed-seed shuffling.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import Callable

import torch
import torch.nn.functional as F

from gankit.data import to_float
from gankit.errors import GankitError
from gankit.metrics.conditional import check_labels
from gankit.metrics.features.classifier import DomainClassifier

ARCH = {"channels": [32, 64, 64], "hidden": 128, "dropout": 0.3}  # the shipped classifiers' arch, less resolution


def dataset_hash(images: torch.Tensor, labels: torch.Tensor) -> str:
    """SHA-256 of the images' bytes and the int64 labels, to pin down the exact data trained on."""
    h = hashlib.sha256(images.detach().cpu().contiguous().numpy().tobytes())
    h.update(labels.detach().cpu().to(torch.int64).contiguous().numpy().tobytes())
    return h.hexdigest()


def random_shift(x: torch.Tensor, pad: int, gen: torch.Generator) -> torch.Tensor:
    """Shift each image (B, C, H, W) by up to `pad` pixels each way: pad with background (-1) and crop."""
    if pad == 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad), value=-1.0).permute(0, 2, 3, 1)  # (B, H+2p, W+2p, C)
    dy = torch.randint(0, 2 * pad + 1, (b, 1, 1), generator=gen)
    dx = torch.randint(0, 2 * pad + 1, (b, 1, 1), generator=gen)
    rows = dy + torch.arange(h).view(1, h, 1)  # (B, H, 1)
    cols = dx + torch.arange(w).view(1, 1, w)  # (B, 1, W)
    return padded[torch.arange(b).view(b, 1, 1), rows, cols].permute(0, 3, 1, 2).contiguous()  # (B, C, H, W)


def as_float(images: torch.Tensor) -> torch.Tensor:
    """Images as float32 in [-1, 1]: uint8 through gankit.data.to_float, floats clipped to [-1, 1], as every
    picture of them is (a G without an output activation, StyleGAN2's, may step outside)."""
    return to_float(images) if images.dtype == torch.uint8 else images.float().clamp(-1, 1)


def check_labelled_images(images, labels, num_classes: int, what: str) -> None:
    """Raise a GankitError unless images (N, 1, R, R) and integer labels (N,) in [0, num_classes) go together."""
    if not isinstance(images, torch.Tensor) or images.dim() != 4 or images.shape[1] != 1 \
            or images.shape[2] != images.shape[3] or len(images) == 0:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
        raise GankitError(f"{what} must be grey square images (N, 1, R, R) with N >= 1, got {shape}; "
                          "the domain classifier takes one channel.")
    check_labels(labels, len(images), num_classes, what)


def steps_for(n_images: int, epochs: float, batch_size: int) -> int:
    """How many optimiser steps `epochs` passes over n_images in batches of batch_size take (at least 1)."""
    return max(1, round(epochs * math.ceil(n_images / batch_size)))


def train_classifier(images: torch.Tensor, labels: torch.Tensor, steps: int, batch_size: int = 128,
                     lr: float = 2e-3, shift: int = 2, seed: int = 0, num_classes: int = 10,
                     device: torch.device = torch.device("cpu"),
                     log: Callable[[str], None] | None = None) -> DomainClassifier:
    """A fresh DomainClassifier trained for `steps` Adam steps on images (N, 1, R, R) (uint8, or float in [-1, 1]).

    Epochs are fixed-seed permutations (the last may be cut short); learning rate
    decays to 0 on a cosine over all steps; each batch is shifted by up to `shift`
    pixels. The result depends only on the data, the settings, the seed and the
    device type: the global random state is seeded inside and restored after.
    Returns the model in eval mode on `device`.
    """
    check_labelled_images(images, labels, num_classes, "classifier training images")
    if steps < 1 or batch_size < 1 or shift < 0:
        raise GankitError(f"classifier training needs steps >= 1, batch_size >= 1 and shift >= 0, "
                          f"got {steps}, {batch_size} and {shift}.")
    device = torch.device(device)
    labels = labels.to(torch.int64).cpu()
    forked = [device] if device.type == "cuda" else []
    # Seeding the global generator (initial weights, dropout) keeps scripts/train_classifier.py's weights.
    with torch.random.fork_rng(devices=forked):
        torch.manual_seed(seed)
        model = DomainClassifier(images.shape[-1], num_classes=num_classes, **ARCH).to(device)
        _fit(model, images, labels, steps, batch_size, lr, shift, torch.Generator().manual_seed(seed), log)
    return model.eval()


def _fit(model, images, labels, steps, batch_size, lr, shift, gen, log) -> None:
    """The loop of train_classifier; logs the mean loss of each epoch (read once per epoch)."""
    device = next(model.parameters()).device
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    steps_per_epoch = math.ceil(len(images) / batch_size)
    epochs, step = math.ceil(steps / steps_per_epoch), 0
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(images), generator=gen)
        total, seen, began = torch.zeros((), device=device), 0, time.time()
        for start in range(0, len(images), batch_size):
            if step == steps:
                break
            idx = order[start:start + batch_size]
            x = random_shift(as_float(images[idx].cpu()), shift, gen).to(device)  # (B, 1, R, R)
            loss = F.cross_entropy(model(x), labels[idx].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.detach() * len(idx)
            seen, step = seen + len(idx), step + 1
        if log is not None and ((epoch + 1) % max(1, epochs // 10) == 0 or epoch == 0):
            log(f"epoch {epoch + 1}/{epochs}: loss {float(total) / seen:.4f} ({time.time() - began:.1f} s)")


@torch.no_grad()
def predictions(model: DomainClassifier, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """Predicted classes (N,) on the CPU of images (N, 1, R, R) (uint8, or float in [-1, 1]), in eval mode."""
    model.eval()
    device = next(model.parameters()).device
    out = [model(as_float(images[s:s + batch_size]).to(device)).argmax(1).cpu()  # (b,)
           for s in range(0, len(images), batch_size)]
    return torch.cat(out)


def accuracy(model: DomainClassifier, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Top-1 accuracy of the model in eval mode on images (N, 1, R, R) with labels (N,)."""
    return (predictions(model, images) == labels.cpu()).double().mean().item()
