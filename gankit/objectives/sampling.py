"""Latent noise and sampling in eval mode, shared by every family."""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import GankitError


def sample_z(n: int, z_dim: int, dist: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Latent noise (n, z_dim) on the generator's device: standard normal, or uniform on [-1, 1]."""
    device = generator.device if generator is not None else None
    if dist == "uniform":
        return torch.rand(n, z_dim, generator=generator, device=device) * 2 - 1  # (n, z_dim)
    return torch.randn(n, z_dim, generator=generator, device=device)  # (n, z_dim)


def truncation(value) -> float:
    """The truncation psi of `gankit sample --truncation`, a number from 0 to 1 (one sentence otherwise)."""
    try:
        psi = float(value)
    except (TypeError, ValueError):
        psi = float("nan")
    if not 0 <= psi <= 1:
        raise GankitError(f"--truncation is {value}; give psi from 0 (every sample the mean) to 1 (no truncation), "
                          "e.g. 0.7.")
    return psi


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, chunk: int = 500, y: torch.Tensor | None = None,
             psi: torch.Tensor | None = None) -> torch.Tensor:
    """G's samples on fixed noise (and labels y (n,) for a conditional G), in eval mode, chunked; G's mode is restored.

    psi (n,) truncates: toward the mean w for a style-based G (its `truncates`), else toward z's mean, 0 (z x psi).
    The noise moves to G's device; the samples come back where the noise was.
    """
    was = G.training
    G.eval()
    device = next(G.parameters(), z).device  # a parameter-free G runs where z is
    n = len(z)
    parts = [z.split(chunk)] + [t.split(chunk) for t in (y, psi) if t is not None]
    try:
        out = []
        for pieces in zip(*parts):
            z_part, rest = pieces[0].to(device), [p.to(device) for p in pieces[1:]]
            labels = rest.pop(0) if y is not None else None
            more = {}
            if psi is not None:
                if getattr(G, "truncates", False):
                    more["psi"] = rest[0]
                else:
                    z_part = z_part * rest[0][:, None].to(z_part.dtype)
            args = (z_part,) if labels is None else (z_part, labels)
            out.append(G(*args, **more).float().to(z.device))
        return torch.cat(out) if n else G(z.to(device)).float().to(z.device)
    finally:
        G.train(was)
