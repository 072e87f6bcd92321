"""Where the garments of a next-frame sequence are, frame by frame, and how a frame is drawn from them.

Two worlds (gankit.data.sequences builds its SequenceDataset on them):

- moving (Srivastava et al. 2015's Moving MNIST, with Fashion-MNIST garments): each
  garment's top-left corner starts uniformly inside the frame and moves at constant
  speed in a uniform random direction, bouncing off the frame's edges (the velocity
  component across an edge is reflected: specular reflection, computed in closed form
  as a triangle wave). Positions are real; a garment is pasted at its rounded
  position, which always lies inside the frame, so a garment is never cut off.
- fork: one garment runs right along the horizontal middle of the frame, reaches the
  junction at the frame's centre exactly in the last past frame, then goes up or
  down (one fair coin) at the same speed. The path is fixed (ForkPath): the only
  randomness is the garment and the coin, so every past has exactly two futures.

A frame is the pixelwise maximum of its garments pasted onto black (as Moving MNIST
overlaps its digits). Corners are (row, col) of a garment's top-left pixel.
"""

from __future__ import annotations

import math

import torch

from gankit.errors import GankitError

# Moving MNIST: 64 px frames, 28 px digits moving about 2-5 px a frame; other sides scale all three.
MOVING_SIDE = 64
MOVING_GARMENT = 28
SPEED_RANGE = (2.0, 5.0)
# Below this side a garment is a few pixels (7 px in moving, 4 px in fork) and no longer a garment.
MIN_RESOLUTION = 16
# The fork's garment moves at least this many whole pixels a frame, so its two futures part at once.
MIN_FORK_SPEED = 1


def round_half_up(x: torch.Tensor) -> torch.Tensor:
    """Real positions to int64 pixels, halves rounded up (floor(x + 0.5), the same on every device)."""
    return torch.floor(x + 0.5).to(torch.int64)


def moving_garment_side(size: int) -> int:
    """A moving garment's side on a `size` px frame: 28 px at 64, scaled by size / 64 (14 px at 32)."""
    return max(1, math.floor(MOVING_GARMENT * size / MOVING_SIDE + 0.5))


def bounce(position: torch.Tensor, span: float) -> torch.Tensor:
    """Where a point moving freely to `position` is when walls at 0 and `span` reflect it: a triangle wave.

    p mod 2 span folded back at span, so p = span + d comes back to span - d, and -d to d.
    """
    folded = torch.remainder(position, 2 * span)
    return span - (folded - span).abs()


def draw_moving(count: int, objects: int, garments: int, size: int, generator: torch.Generator
                ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(garment indices (count, objects) int64, start corners (count, objects, 2), velocities (count, objects, 2)).

    Draws, in order, from `generator` on its own device: the garment indices (torch.randint with replacement),
    the start corners (torch.rand (count, objects, 2), uniform over [0, span] per axis), the speeds
    (torch.rand (count, objects): uniform in SPEED_RANGE x size / 64 px a frame), the directions (torch.rand
    (count, objects): an angle uniform in [0, 2 pi)). Corners and velocities are float32 (row, col) pixels.
    """
    device = generator.device
    span = size - moving_garment_side(size)
    index = torch.randint(garments, (count, objects), generator=generator, device=device)
    start = torch.rand(count, objects, 2, generator=generator, device=device) * span
    low, high = SPEED_RANGE
    unit = torch.rand(count, objects, generator=generator, device=device)
    speed = (low + (high - low) * unit) * (size / MOVING_SIDE)
    angle = torch.rand(count, objects, generator=generator, device=device) * (2 * math.pi)
    velocity = torch.stack([speed * torch.sin(angle), speed * torch.cos(angle)], dim=-1)
    return index, start, velocity


def moving_corners(start: torch.Tensor, velocity: torch.Tensor, frames: int, size: int) -> torch.Tensor:
    """Corners (count, objects, frames, 2) int64 of garments starting at `start` with `velocity`, bouncing.

    Frame t holds the free position start + t velocity reflected into [0, span] (span = size - garment side),
    rounded half up: always a corner whose garment lies wholly inside the frame.
    """
    span = size - moving_garment_side(size)
    t = torch.arange(frames, device=start.device, dtype=start.dtype)
    free = start[:, :, None, :] + t[None, None, :, None] * velocity[:, :, None, :]  # (count, objects, frames, 2)
    return round_half_up(bounce(free, span)).clamp(0, span)


class ForkPath:
    """The fork's fixed geometry on a `size` px frame: garment side, junction, speed and both branches' corners.

    The garment is size // 4 px, one more where that leaves an odd margin, so the corridor lies exactly on
    the vertical middle and the junction exactly at the horizontal centre (8 px at 32, 16 at 64). The
    garment's corner reaches the junction (centre, centre), centre = (size - side) / 2, in frame frames_in - 1,
    coming from the left at `speed` px a frame; the future moves it up or down at the same speed. speed =
    floor(centre / max(frames_in - 1, frames_out)) whole pixels a frame, the fastest whole speed that keeps
    the garment in the frame both ways (1 px at 32 px and 10 + 10 frames: it starts at column 3 and ends
    2 px from the top or bottom edge; 2 px at 64). Whole speeds make every step equal and up mirror down.
    """

    def __init__(self, size: int, frames_in: int, frames_out: int):
        check_fork_fit(size, frames_in, frames_out)
        self.size, self.frames_in, self.frames_out = size, frames_in, frames_out
        self.side = fork_garment_side(size)
        self.centre = (size - self.side) // 2
        self.speed = self.centre // max(frames_in - 1, frames_out)
        past = [(self.centre, self.centre - self.speed * (frames_in - 1 - t)) for t in range(frames_in)]
        up = [(self.centre - self.speed * k, self.centre) for k in range(1, frames_out + 1)]
        down = [(self.centre + self.speed * k, self.centre) for k in range(1, frames_out + 1)]
        # (2, frames_in + frames_out, 2) int64: branch 0 goes up, branch 1 down.
        self.table = torch.tensor([past + up, past + down], dtype=torch.int64)

    def corners(self, branch: torch.Tensor) -> torch.Tensor:
        """Corners (count, 1, frames, 2) int64 of the garment on each branch (count,) (0 up, 1 down)."""
        return self.table.to(branch.device)[branch].unsqueeze(1)


def fork_garment_side(size: int) -> int:
    """The fork's garment side: size // 4, plus one where size minus it would be odd (8 px at 32)."""
    side = size // 4
    return side + (size - side) % 2


def _fork_room(size: int) -> int:
    """Pixels from the left edge to the junction, and from the junction to the top edge, at side `size`."""
    return (size - fork_garment_side(size)) // 2


def check_fork_fit(size: int, frames_in: int, frames_out: int) -> None:
    """A GankitError unless the fork's garment can cross to the junction and on to an edge at >= 1 px a frame."""
    steps = max(frames_in - 1, frames_out)
    room = _fork_room(size)
    if room >= steps * MIN_FORK_SPEED:
        return
    fits = next(s for s in range(max(size, MIN_RESOLUTION), 8 * (steps + 2)) if _fork_room(s) >= steps * MIN_FORK_SPEED)
    raise GankitError(
        f"data.frames_in={frames_in} / data.frames_out={frames_out} do not fit data.resolution={size} for "
        f"data.name=fork: its {fork_garment_side(size)} px garment moves at least {MIN_FORK_SPEED} px a frame "
        f"and has {room} px from the left edge to the junction and from there to the top or bottom edge, so "
        f"data.frames_in - 1 and data.frames_out must be at most {room}; lower them or set data.resolution "
        f"to {fits} or more.")


def draw_fork(count: int, garments: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(garment indices (count, 1) int64, branches (count,) int64: 0 up, 1 down).

    Draws, in order, from `generator` on its own device: the garment indices (torch.randint with replacement),
    then the coins (torch.randint(2)).
    """
    device = generator.device
    index = torch.randint(garments, (count, 1), generator=generator, device=device)
    branch = torch.randint(2, (count,), generator=generator, device=device)
    return index, branch


def paste(garments: torch.Tensor, corners: torch.Tensor, size: int) -> torch.Tensor:
    """Frames (B, T, size, size) uint8: garments (B, K, g, g) uint8 pasted at corners (B, K, T, 2), pixelwise max.

    Every corner must keep its garment inside the frame (both worlds' corners do).
    """
    count, objects, side = garments.shape[0], garments.shape[1], garments.shape[-1]
    frames = corners.shape[2]
    device = garments.device
    canvas = torch.zeros(count, frames, size, size, dtype=torch.uint8, device=device)
    step = torch.arange(side, device=device)
    b = torch.arange(count, device=device)[:, None, None, None]
    t = torch.arange(frames, device=device)[None, :, None, None]
    for k in range(objects):
        rows = corners[:, k, :, 0, None] + step  # (B, T, g)
        cols = corners[:, k, :, 1, None] + step  # (B, T, g)
        where = (b, t, rows[:, :, :, None], cols[:, :, None, :])  # indexes (B, T, g, g)
        canvas[where] = torch.maximum(canvas[where], garments[:, k, None])
    return canvas
