"""Low-dimensional toy distributions with exactly known densities.

- gaussian1d: the 1-D Gaussian of Goodfellow et al. (2014), Figure 1.
- ring8: eight equal Gaussians evenly spaced on a circle.
- grid25: twenty-five equal Gaussians on the grid {-4, -2, 0, 2, 4}^2.
"""

from __future__ import annotations

import math

import torch

from gankit.errors import GankitError


class ToyDataset:
    """An equal-weight mixture of isotropic Gaussians, sampled only through a given generator."""

    kind = "toy"

    def __init__(self, name: str, modes: torch.Tensor, mode_std: float):
        self.name = name
        self.modes = modes.to(torch.float32)
        self.mode_std = float(mode_std)

    @property
    def num_classes(self) -> int:
        """Each mode of a mixture is a class (its label is the mode's index); a single Gaussian has none."""
        n = self.modes.shape[0]
        return n if n > 1 else 0

    @property
    def class_names(self) -> tuple[str, ...]:
        """The classes by mode index."""
        return tuple(str(i) for i in range(self.num_classes))

    @property
    def shape(self) -> tuple[int]:
        """The shape (dim,) of one sample."""
        return (self.modes.shape[1],)

    def __repr__(self) -> str:
        return f"ToyDataset({self.name!r}, modes={self.modes.shape[0]}, dim={self.shape[0]}, std={self.mode_std})"

    @property
    def device(self) -> torch.device:
        """Where the mode centres are held (and so where samples are drawn)."""
        return self.modes.device

    def to(self, device) -> "ToyDataset":
        """The same distribution, sampled on `device`."""
        return ToyDataset(self.name, self.modes.to(device), self.mode_std)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Draw float32 (batch_size, dim) samples using only the given generator (on the data's device), and their
        mode indices (batch_size,) as labels (None for a single Gaussian)."""
        which = torch.randint(self.modes.shape[0], (batch_size,), generator=generator, device=self.modes.device)
        noise = torch.randn(batch_size, self.modes.shape[1], generator=generator, device=self.modes.device)
        return self.modes[which] + self.mode_std * noise, (which if self.num_classes else None)

    def log_density(self, x: torch.Tensor) -> torch.Tensor:
        """The exact log density of the mixture at points x (N, dim) -> (N,)."""
        x = torch.as_tensor(x)
        dim = self.modes.shape[1]
        if x.dim() == 1 and dim == 1:
            x = x.unsqueeze(1)
        if x.dim() != 2 or x.shape[1] != dim:
            raise ValueError(f"{self.name} points must have shape (N, {dim}), got {tuple(x.shape)}")
        out_dtype = x.dtype if x.is_floating_point() else torch.float32
        # float64 keeps far-out points from underflowing before logsumexp.
        x = x.to(torch.float64)
        modes = self.modes.to(torch.float64)
        var = self.mode_std ** 2
        # The direct (non-matmul) distance is exact even for points right on a mode.
        dist = torch.cdist(x, modes, compute_mode="donot_use_mm_for_euclid_dist") if x.shape[0] else None
        sq = dist.pow(2) if dist is not None else x.new_zeros(0, modes.shape[0])
        log_each = -sq / (2 * var) - 0.5 * dim * math.log(2 * math.pi * var)
        log_p = torch.logsumexp(log_each, dim=1) - math.log(modes.shape[0])
        return log_p.to(out_dtype)

    def density(self, x: torch.Tensor) -> torch.Tensor:
        """The exact probability density of the mixture at points x (N, dim) -> (N,)."""
        return self.log_density(x).exp()


def _positive(value, field: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise GankitError(f"data.{field} must be a positive number; set it to something like 0.5.")
    return value


def load_gaussian1d(cfg) -> ToyDataset:
    """The 1-D Gaussian N(data.mean, data.std^2) of Goodfellow et al. (2014), Figure 1."""
    try:
        mean = float(cfg.mean)
    except (TypeError, ValueError):
        mean = float("nan")
    if not math.isfinite(mean):
        raise GankitError(f"data.mean={cfg.mean!r} is not a finite number; set it to something like 4.0.")
    return ToyDataset(cfg.name, torch.tensor([[mean]]), _positive(cfg.std, "std"))


def load_ring8(cfg) -> ToyDataset:
    """Eight Gaussians of std data.mode_std evenly spaced on a circle of radius data.radius."""
    radius = _positive(cfg.radius, "radius")
    angles = torch.arange(8, dtype=torch.float64) * (2 * math.pi / 8)
    modes = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    return ToyDataset(cfg.name, modes, _positive(cfg.mode_std, "mode_std"))


def load_grid25(cfg) -> ToyDataset:
    """Twenty-five Gaussians of std data.mode_std centred on {-4, -2, 0, 2, 4}^2."""
    ticks = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
    modes = torch.cartesian_prod(ticks, ticks)
    return ToyDataset(cfg.name, modes, _positive(cfg.mode_std, "mode_std"))
