"""Latent noise and sampling in eval mode, shared by every family."""

from __future__ import annotations

import torch
from torch import nn


def sample_z(n: int, z_dim: int, dist: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Latent noise (n, z_dim) on the generator's device: standard normal, or uniform on [-1, 1]."""
    device = generator.device if generator is not None else None
    if dist == "uniform":
        return torch.rand(n, z_dim, generator=generator, device=device) * 2 - 1  # (n, z_dim)
    return torch.randn(n, z_dim, generator=generator, device=device)  # (n, z_dim)


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, chunk: int = 500, y: torch.Tensor | None = None) -> torch.Tensor:
    """G's samples on fixed noise (and labels y (n,) for a conditional G), in eval mode, chunked; G's mode is restored.

    The noise moves to G's device; the samples come back where the noise was.
    """
    was = G.training
    G.eval()
    device = next(G.parameters(), z).device  # a parameter-free G runs where z is
    try:
        if y is None:
            return torch.cat([G(part.to(device)).float().to(z.device) for part in z.split(chunk)])
        return torch.cat([G(part.to(device), labels.to(device)).float().to(z.device)
                          for part, labels in zip(z.split(chunk), y.split(chunk))])
    finally:
        G.train(was)
