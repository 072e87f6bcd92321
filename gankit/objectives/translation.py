"""What the image-to-image families (pix2pix, cyclegan, stargan) share.

Their generators map an image (and, for StarGAN, a target domain) to an image,
so "sampling" a run means translating inputs: each run keeps a few training
inputs as probe buffers (saved in its checkpoints, so `load_run`, `gankit
sample` and the progress pictures need no data), and `generate` translates
whatever inputs it is given (`gankit translate` passes the user's images).
Discriminators judge patches: their logits (B, 1, h, w) are flattened to
(B, h*w) for the shared losses, which average over every patch.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.metrics.evaluate_translation import FASHION_TASKS, translation_scorer
from gankit.objectives.outputs import IMAGE_WRITERS, draw_picture
from gankit.objectives.parts import Evaluation
from gankit.objectives.sampling import generate as generate_from

# What `gankit sample` writes for a translation run (its translations of probe inputs), and its pictures.
WRITERS, DRAW = IMAGE_WRITERS, draw_picture

# Probe inputs shown in progress pictures and drawn by `gankit sample`.
MAX_PROBES = 24


def flat_logits(out: torch.Tensor) -> torch.Tensor:
    """A patch discriminator's logits (B, 1, h, w) as (B, h*w)."""
    return out.flatten(1)


def l1(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference, in fp32."""
    return (x.float() - y.float()).abs().mean()


def probe_count(cfg) -> int:
    """How many probe inputs a run keeps."""
    return max(1, min(MAX_PROBES, cfg.train.n_samples))


def first_images(images: torch.Tensor | None, n: int, shape: tuple[int, ...]) -> torch.Tensor:
    """The first n of uint8 images as floats in [-1, 1] on the CPU; zeros (restored from a checkpoint) without data."""
    if images is None:
        return torch.zeros((n, *shape))
    images = images[:n].cpu().float() / 127.5 - 1.0
    if len(images) < n:  # fewer examples than probes: repeat them
        images = images.repeat((n + len(images) - 1) // len(images), 1, 1, 1)[:n]
    return images


def pick(probes: torch.Tensor, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n probe inputs drawn with replacement (CPU), and their indices."""
    idx = torch.randint(len(probes), (n,), generator=generator)
    return probes.cpu()[idx], idx


def sources(probes: torch.Tensor, n: int | None, generator: torch.Generator,
            images: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """What to translate: the given images (`gankit translate`), else n probe inputs (default all of them)
    drawn with replacement; and the probes' indices (None for given images)."""
    if images is not None:
        return torch.as_tensor(images).float(), None
    return pick(probes, n or len(probes), generator)


def evaluation(run_metrics, best, lower_is_better, evaluate_fn):
    """A translation family's Evaluation: one group, `translation`, scored on the data's test split by
    evaluate_fn(parts, test, n, judge) (gankit.metrics.evaluate_translation).

    run_metrics(cfg) -> the metrics it reports on this data; best(cfg) -> the one train.eval_metric=auto keeps.
    """
    return Evaluation(groups=lambda cfg, spec: {"translation": run_metrics(cfg)},
                      defaults=lambda cfg, spec: ("translation",),
                      best=lambda cfg, spec: best(cfg),
                      lower_is_better=frozenset(lower_is_better),
                      prepare=lambda parts, request: translation_scorer(parts, request, evaluate_fn))


def judged(cfg) -> bool:
    """Whether the data is one of gankit's Fashion-MNIST tasks, whose classifier reads the translations."""
    return cfg.data.name in FASHION_TASKS


def translate(G: nn.Module, x: torch.Tensor, chunk: int = 500, c: torch.Tensor | None = None) -> torch.Tensor:
    """G's translations of x (and target domains c for StarGAN), in eval mode, on the CPU."""
    return generate_from(G, x, chunk, y=c).cpu()


def triplets(columns: list[torch.Tensor], per_row: int = 4) -> dict:
    """A progress grid of (input, output, target, ...) groups, `per_row` groups a row."""
    group = torch.stack(columns, dim=1)  # (N, k, C, H, W)
    return {"kind": "grid", "images": group.flatten(0, 1), "nrow": per_row * len(columns)}
