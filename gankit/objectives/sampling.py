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


STYLE_INPUTS = ("psi", "z_end", "at", "switch")  # per-sample inputs a style-based G takes (see StyleGenerator)


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, chunk: int = 500, y: torch.Tensor | None = None,
             **per_sample: torch.Tensor) -> torch.Tensor:
    """G's samples on fixed noise (and labels y (n,) for a conditional G), in eval mode, chunked; G's mode is restored.

    per_sample: more inputs (n, ...) for G (a style-based G's psi, z_end, at, switch); for any other G, psi
    truncates toward z's mean, 0 (z x psi). The noise moves to G's device; the samples come back where it was.
    """
    was = G.training
    G.eval()
    device = next(G.parameters(), z).device  # a parameter-free G runs where z is
    per_sample = {k: v for k, v in per_sample.items() if v is not None}
    if "psi" in per_sample and not getattr(G, "truncates", False):
        z = z * per_sample.pop("psi")[:, None].to(z.dtype)
    names = list(per_sample)
    pieces = [z.split(chunk)] + ([y.split(chunk)] if y is not None else []) + [per_sample[k].split(chunk) for k in names]
    try:
        out = []
        for piece in zip(*pieces):
            args = [t.to(device) for t in piece[:2 if y is not None else 1]]
            more = {k: t.to(device) for k, t in zip(names, piece[len(args):])}
            out.append(G(*args, **more).float().to(z.device))
        return torch.cat(out)
    finally:
        G.train(was)
