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

from gankit.objectives.sampling import generate as generate_from

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


def net(parts, name: str) -> nn.Module:
    """A network by name, or its EMA copy when the run keeps one."""
    for ema, source in parts.emas.items():
        if source == name and ema in parts.nets:
            return parts.nets[ema]
    return parts.nets[name]


def translate(G: nn.Module, x: torch.Tensor, chunk: int = 500, c: torch.Tensor | None = None) -> torch.Tensor:
    """G's translations of x (and target domains c for StarGAN), in eval mode, on the CPU."""
    return generate_from(G, x, chunk, y=c).cpu()


def triplets(columns: list[torch.Tensor], per_row: int = 4) -> dict:
    """A progress grid of (input, output, target, ...) groups, `per_row` groups a row."""
    group = torch.stack(columns, dim=1)  # (N, k, C, H, W)
    return {"kind": "grid", "images": group.flatten(0, 1), "nrow": per_row * len(columns)}
