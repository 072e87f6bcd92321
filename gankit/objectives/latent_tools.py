"""What `gankit sample` draws from a latent space besides plain samples: latent walks and style-mixing grids.

- `--walk N`: each of n samples (default 16) walks a closed loop through three random points in N frames: in
  w by linear interpolation for a style-based G (as StyleGAN's perceptual path length), in z by spherical
  interpolation otherwise (z is Gaussian, so slerp keeps it on the shell it lives on; uniform z: linear).
  `--out walk.gif` animates it; a PNG shows one row per sample, one column per frame.
- `--style-mix LAYER` (a style-based G): a grid whose first row holds column sources and first column row
  sources; each cell takes its row source's styles below LAYER (the coarse ones) and its column source's from
  LAYER on (the fine ones), the reference's style-mixing figure.

Both build the family's `inputs`: per-sample tensors that generate() hands to G, and `frame` (which frame each
sample belongs to) or `blank` (cells to leave white) for the writers.
"""

from __future__ import annotations

import torch

from gankit.errors import GankitError
from gankit.objectives.sampling import sample_z
from gankit.viz.gif import save_gif
from gankit.viz.grid import make_grid, upscale

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


def walk_inputs(parts, n: int | None, generator: torch.Generator, frames, truncates: bool) -> dict:
    """n samples x `frames` frames of closed loops through KEYFRAMES random points (frame-major order)."""
    frames = _positive(frames, "--walk", "60")
    n, m = n or 16, parts.cfg.model
    keys = sample_z(n * KEYFRAMES, m.z_dim, m.z_dist, generator).view(KEYFRAMES, n, m.z_dim)
    position = torch.arange(frames, dtype=torch.float32) * KEYFRAMES / frames  # along the loop, per frame
    segment = position.floor().long()
    start, end = keys[segment], keys[(segment + 1) % KEYFRAMES]  # (frames, n, z_dim)
    at = (position - segment)[:, None].expand(frames, n).reshape(-1)
    start, end = start.reshape(-1, m.z_dim), end.reshape(-1, m.z_dim)
    out = {"frame": torch.arange(frames).repeat_interleave(n)}
    if truncates:  # interpolated in w by G
        return out | {"z": start, "z_end": end, "at": at}
    if m.z_dist == "normal":
        return out | {"z": slerp(start, end, at)}
    return out | {"z": torch.lerp(start, end, at[:, None])}


def mixing_inputs(parts, n: int | None, generator: torch.Generator, layer, num_ws: int | None) -> dict:
    """An (m + 1) x (m + 1) style-mixing grid, m = n (default 6) sources a side, switching at `layer`."""
    if num_ws is None:
        raise GankitError("--style-mix needs a style-based generator (model.name=stylegan2); this run's G takes "
                          "no styles.")
    layer = _positive(layer, "--style-mix", "2")
    if layer >= num_ws:
        raise GankitError(f"--style-mix is {layer}, but this G has styles 0 to {num_ws - 1}; give 1 to "
                          f"{num_ws - 1} (low: rows keep only the coarsest styles).")
    side, m = n or 6, parts.cfg.model
    rows, cols = (sample_z(side, m.z_dim, m.z_dist, generator) for _ in range(2))
    z, z_end, switch, blank = [rows[0]], [rows[0]], [num_ws], [True]  # the corner, left white
    for c in range(side):  # the first row: the column sources alone
        z.append(cols[c]), z_end.append(cols[c]), switch.append(num_ws), blank.append(False)
    for r in range(side):
        z.append(rows[r]), z_end.append(rows[r]), switch.append(num_ws), blank.append(False)
        for c in range(side):
            z.append(rows[r]), z_end.append(cols[c]), switch.append(layer), blank.append(False)
    return {"z": torch.stack(z), "z_end": torch.stack(z_end), "switch": torch.tensor(switch),
            "blank": torch.tensor(blank), "columns": torch.full((len(z),), side + 1)}


def _scale(size: int) -> int:
    return max(1, 64 // size)


def frames_of(samples: torch.Tensor, inputs: dict) -> list[torch.Tensor]:
    """The samples of each frame, in order."""
    frame = inputs["frame"]
    return [samples[frame == f] for f in range(int(frame.max()) + 1)]


def write_walk_gif(path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """A walk as an animated GIF, each frame a grid of the samples (plain samples: a one-frame GIF)."""
    frames = frames_of(samples, inputs) if "frame" in inputs else [samples]
    pictures = [upscale(make_grid(f), _scale(samples.shape[-1])) for f in frames]
    save_gif(pictures, path, duration_ms=80)


def arranged(samples: torch.Tensor, inputs: dict) -> tuple[torch.Tensor, int | None]:
    """(images, per row) for a PNG: a walk's frames as columns, one row per sample; a mixing grid with its corner
    white; plain samples as they are."""
    if "frame" in inputs:
        frames = frames_of(samples, inputs)
        return torch.stack(frames, 1).flatten(0, 1), len(frames)
    if "blank" in inputs:
        samples = samples.clone()
        samples[inputs["blank"]] = 1.0
        return samples, int(inputs["columns"][0])
    return samples, None

