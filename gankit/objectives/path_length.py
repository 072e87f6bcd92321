"""StyleGAN2's path-length regularisation (Karras et al. 2020, section 3.2), lazily, as its own G update.

For w and images y = g(w) with random image-space directions r ~ N(0, I) / sqrt(H W), the Jacobian-vector
length a = ||J_w^T r|| should not depend on w: the penalty is (a - mean a)^2, the mean tracked with decay 0.01
in G's `pl_mean` buffer. It runs on every loss.pl_every-th step, on half of G's batch, scaled by loss.pl_every
(lazy regularisation), weighted by loss.pl_weight (the paper's 2).
"""

from __future__ import annotations

import math

import torch

PL_DECAY = 0.01


def path_lengths(G, z: torch.Tensor, y: torch.Tensor | None, directions) -> tuple[torch.Tensor, torch.Tensor]:
    """(a per image (B,), the images) for noise z (and labels y); directions(shape) -> r (B, C, H, W)."""
    ws = G.styles(z, y)
    images = G.synthesis(ws)
    r = directions(images.shape[1:]) / math.sqrt(images.shape[2] * images.shape[3])
    (grads,) = torch.autograd.grad((images.float() * r).sum(), ws, create_graph=True)
    return grads.float().square().sum(2).mean(1).sqrt(), images


def due(cfg, step: int) -> bool:
    """Whether this iteration runs the path-length update."""
    return cfg.loss.pl_weight > 0 and step % cfg.loss.pl_every == 0


def path_length_step(parts, t, noise, labels=None) -> dict:
    """The lazy path-length update of G: noise(n, t) -> z; labels (gan.Labels) draw y for a conditional G."""
    G, loss_cfg = parts.nets["G"], parts.cfg.loss
    n = max(1, t.share(parts.cfg.train.batch_size) // 2)
    y = labels.draw(n, t) if labels is not None else None
    z = noise(parts, n, t)

    def directions(shape):
        return t.draw("noise", lambda m, g: torch.randn(m, *shape, generator=g, device=t.device), n)

    with t.autocast():
        lengths, _ = path_lengths(G, z, y, directions)
    mean = G.pl_mean
    with torch.no_grad():
        mean.lerp_(lengths.detach().mean(), PL_DECAY)
    penalty = (lengths - mean).square().mean() * loss_cfg.pl_weight * loss_cfg.pl_every
    t.update("G", penalty)
    return {"path_length": lengths.detach().mean(), "penalty_G": penalty.detach()}
