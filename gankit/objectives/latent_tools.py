"""What `gankit sample` draws from a latent space besides plain samples: latent walks and style-mixing grids.

- `--walk N`: each of n samples (default 16) walks a closed loop through three random points in N frames: in
  w by linear interpolation for a style-based G (as StyleGAN's perceptual path length), in z by spherical
  interpolation otherwise (z is Gaussian, so slerp keeps it on the shell it lives on; uniform z: linear).
  `--out walk.gif` animates it; a PNG shows one row per sample, one column per frame.
- `--style-mix LAYER` (a style-based G): a grid whose first row holds column sources and first column row
  sources; each cell takes its row source's styles below LAYER (the coarse ones) and its column source's from
  LAYER on (the fine ones), the reference's style-mixing figure.

Both build the family's `inputs`: per-sample tensors that generate() hands to G, and `frame` (which frame each
sample belongs to) or `blank` (cells to leave white) for the writers (gankit.objectives.outputs).
"""

from __future__ import annotations

import torch

from gankit.errors import GankitError
from gankit.objectives.sampling import sample_z

KEYFRAMES = 3


def _positive(value, flag: str, example: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or str(number) != str(value).strip():
        raise GankitError(f"{flag} is {value}; give a whole number of at least 1, e.g. {flag} {example}.")
    return number


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation of rows a, b (n, d) at fractions t (n,), with the norm interpolated linearly."""
    na, nb = a.norm(dim=1, keepdim=True), b.norm(dim=1, keepdim=True)
    ua, ub = a / na, b / nb
    omega = torch.acos((ua * ub).sum(1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))
    t = t[:, None]
    direction = (torch.sin((1 - t) * omega) * ua + torch.sin(t * omega) * ub) / torch.sin(omega)
    return direction * (na + (nb - na) * t)


def interpolation(parts, start: torch.Tensor, end: torch.Tensor, at: torch.Tensor) -> dict:
    """Inputs for the points `at` (n,) of the way from latents start to end (n, z_dim): in w for a style-based G
    (G interpolates its z_end / at inputs), spherical in Gaussian z, linear in uniform z."""
    if getattr(parts.sampling_net(), "truncates", False):
        return {"z": start, "z_end": end, "at": at}
    if parts.cfg.model.z_dist == "normal":
        return {"z": slerp(start, end, at)}
    return {"z": torch.lerp(start, end, at[:, None])}


def walk_inputs(parts, n: int | None, generator: torch.Generator, frames) -> dict:
    """n samples x `frames` frames of closed loops through KEYFRAMES random points (frame-major order)."""
    frames = _positive(frames, "--walk", "60")
    n, m = n or 16, parts.cfg.model
    keys = sample_z(n * KEYFRAMES, m.z_dim, m.z_dist, generator).view(KEYFRAMES, n, m.z_dim)
    position = torch.arange(frames, dtype=torch.float32) * KEYFRAMES / frames  # along the loop, per frame
    segment = position.floor().long()
    start, end = keys[segment], keys[(segment + 1) % KEYFRAMES]  # (frames, n, z_dim)
    at = (position - segment)[:, None].expand(frames, n).reshape(-1)
    return {"frame": torch.arange(frames).repeat_interleave(n)} | \
        interpolation(parts, start.reshape(-1, m.z_dim), end.reshape(-1, m.z_dim), at)


def mixing_inputs(parts, n: int | None, generator: torch.Generator, layer) -> dict:
    """An (m + 1) x (m + 1) style-mixing grid, m = n (default 6) sources a side, switching at `layer`: the
    corner (left white), the column sources alone, then each row's source alone and mixed with each column."""
    num_ws = getattr(parts.sampling_net(), "num_ws", None)
    if num_ws is None:
        raise GankitError("--style-mix needs a style-based generator (model.name=stylegan2); this run's G takes "
                          "no styles.")
    layer = _positive(layer, "--style-mix", "2")
    if layer >= num_ws:
        raise GankitError(f"--style-mix is {layer}, but this G has styles 0 to {num_ws - 1}; give 1 to "
                          f"{num_ws - 1} (low: rows keep only the coarsest styles).")
    side, m = n or 6, parts.cfg.model
    rows, cols = (sample_z(side, m.z_dim, m.z_dist, generator) for _ in range(2))
    # each grid row below the first: its source, then the cells (z_end: itself, then each column source)
    mixed_end = torch.cat([rows[:, None], cols[None].expand(side, -1, -1)], 1).flatten(0, 1)
    switch = torch.full((side + 1, side + 1), layer)
    switch[0], switch[:, 0] = num_ws, num_ws  # the first row and column: one source alone
    blank = torch.zeros((side + 1) ** 2, dtype=torch.bool)
    blank[0] = True
    return {"z": torch.cat([rows[:1], cols, rows.repeat_interleave(side + 1, 0)]),
            "z_end": torch.cat([rows[:1], cols, mixed_end]), "switch": switch.flatten(), "blank": blank}


def frames_of(samples: torch.Tensor, inputs: dict) -> list[torch.Tensor]:
    """The samples of each frame, in order."""
    frame = inputs["frame"]
    return [samples[frame == f] for f in range(int(frame.max()) + 1)]


def arranged(samples: torch.Tensor, inputs: dict) -> tuple[torch.Tensor, int | None]:
    """(images, per row) for a PNG: a walk's frames as columns, one row per sample; a mixing grid with its corner
    white; plain samples as they are."""
    if "frame" in inputs:
        frames = frames_of(samples, inputs)
        return torch.stack(frames, 1).flatten(0, 1), len(frames)
    if "blank" in inputs:
        samples = samples.clone()
        samples[inputs["blank"]] = 1.0
        return samples, round(len(samples) ** 0.5)  # the grid is square
    return samples, None

