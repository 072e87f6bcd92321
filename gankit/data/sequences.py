"""Frame sequences for next-frame prediction (Mathieu et al. 2016), composed on the fly from Fashion-MNIST garments.

A SequenceDataset (kind "sequence") holds garment images, uint8 (N, 1, g, g), and their
labels; every batch draws garments and trajectories from the caller's generator and
draws the frames where the garments are held. A sequence is frames_in past frames (what a
network reads) followed by frames_out future frames (what it predicts), float32
(B, T, 1, H, W) in [-1, 1]. The worlds (gankit.data.moving has their geometry):

- moving_fashion: Moving MNIST with garments (objects of them, 64 px frames by default).
- fork: one garment reaching a junction, then going up or down: two sharp futures,
  whose average is the regression optimum.

fixed(n, seed) gives the first n sequences of a deterministic set (the test split,
probe pictures); the garments come from data.split, so test sequences show test garments.
"""

from __future__ import annotations

import torch

from gankit.data.idx import FASHION_MNIST_CLASSES, read_fashion_mnist
from gankit.data.images import cut, image_options, resize, to_float
from gankit.data.moving import (MIN_RESOLUTION, ForkPath, check_fork_fit, draw_fork, draw_moving, fork_garment_side,
                                moving_corners, moving_garment_side, paste)
from gankit.errors import GankitError

WORLDS = {"moving": "moving_fashion", "fork": "fork"}  # world -> its data.name
DEFAULT_RESOLUTION = {"moving": 64, "fork": 32}
# fixed() draws its sequences in blocks of this many from one generator, so fixed(n) is a prefix of fixed(m).
FIXED_BLOCK = 256


class SequenceDataset:
    """Garments (N, 1, g, g) uint8 with int64 labels (N,), and the world that moves them into sequences.

    world "moving": `objects` garments of 28 * size / 64 px bounce around a size px frame; world "fork":
    one garment of about size / 4 px takes the fork (see gankit.data.moving.ForkPath). The garment images
    are resized to g px once, here (bilinear, antialiased, rounded back to uint8); already sized ones pass.
    """

    kind = "sequence"

    def __init__(self, images: torch.Tensor, labels: torch.Tensor, world: str = "moving", size: int | None = None,
                 frames_in: int = 10, frames_out: int = 10, objects: int | None = None, name: str | None = None,
                 class_names: tuple[str, ...] = FASHION_MNIST_CLASSES):
        if world not in WORLDS:
            raise ValueError(f"world must be one of {', '.join(WORLDS)}, got {world!r}")
        size = DEFAULT_RESOLUTION[world] if size is None else size
        objects = (2 if world == "moving" else 1) if objects is None else objects
        if images.dtype != torch.uint8 or images.dim() != 4 or images.shape[1] != 1:
            raise ValueError(f"images must be uint8 (N, 1, H, W), got {images.dtype} {tuple(images.shape)}")
        if labels.shape != (images.shape[0],):
            raise ValueError(f"labels must have shape ({images.shape[0]},), got {tuple(labels.shape)}")
        if min(frames_in, frames_out, objects) < 1 or size < MIN_RESOLUTION or (world == "fork" and objects != 1):
            raise ValueError(f"need frames_in, frames_out, objects >= 1 (1 for fork) and size >= {MIN_RESOLUTION}, "
                             f"got {frames_in}, {frames_out}, {objects} and {size}")
        self.world, self.size, self.objects = world, int(size), int(objects)
        self.frames_in, self.frames_out = int(frames_in), int(frames_out)
        self.fork = ForkPath(self.size, self.frames_in, self.frames_out) if world == "fork" else None
        side = self.fork.side if self.fork is not None else moving_garment_side(self.size)
        self.garments = resize(images, side) if images.shape[-1] != side or images.shape[-2] != side else images
        self.labels = labels.to(torch.int64)
        self.name = name or WORLDS[world]
        self.class_names = tuple(class_names)
        self.num_classes = len(self.class_names)

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(frames_in, C, H, W): the past a network reads."""
        return (self.frames_in, 1, self.size, self.size)

    @property
    def frames(self) -> int:
        """Frames in a whole sequence, past and future."""
        return self.frames_in + self.frames_out

    @property
    def device(self) -> torch.device:
        """Where the garments are held, and the sequences drawn."""
        return self.garments.device

    def __len__(self) -> int:
        """The number of garment images."""
        return self.garments.shape[0]

    def __repr__(self) -> str:
        return (f"SequenceDataset({self.name!r}, garments={len(self)}, shape={self.shape}, "
                f"frames_out={self.frames_out}, objects={self.objects})")

    def to(self, device) -> "SequenceDataset":
        """The same dataset with its garments held on `device`."""
        return SequenceDataset(self.garments.to(device), self.labels.to(device), self.world, self.size,
                               self.frames_in, self.frames_out, self.objects, self.name, self.class_names)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """A random batch (past, future): float32 (B, frames_in, 1, H, W) and (B, frames_out, 1, H, W) in [-1, 1].

        Everything comes from `generator`, which must live where the garments do. Draws, in order: moving:
        the garment indices (B, objects) (torch.randint, with replacement), the start corners (B, objects, 2),
        the speeds (B, objects), the directions (B, objects) (torch.rand each); fork: the garment indices
        (B, 1), then the coins (B,) (torch.randint each).
        """
        index, corners, _ = self._draw(batch_size, generator)
        return self._split(self._frames(index, corners))

    def fixed(self, n: int, seed: int = 0) -> dict[str, torch.Tensor]:
        """The first n sequences of the deterministic set `seed`, on the data's device.

        Keys: "past" (n, frames_in, 1, H, W) and "future" (n, frames_out, 1, H, W) float32 in [-1, 1],
        "labels" (n,) the class of the first garment, "object_labels" (n, objects) every garment's class;
        fork adds "futures" (n, 2, frames_out, 1, H, W), the up and the down future of each past in that
        order, and "branch" (n,), the one in "future" (0 up, 1 down). The draws come from a CPU generator
        seeded with `seed`, in blocks of FIXED_BLOCK sequences each drawn as sample() draws, so fixed(n) is
        the first n of fixed(m) for any m > n, and the same on every device.
        """
        generator = torch.Generator().manual_seed(seed)
        blocks = [self._draw(FIXED_BLOCK, generator) for _ in range(max(1, -(-n // FIXED_BLOCK)))]
        index, corners = (torch.cat([b[i] for b in blocks])[:n].to(self.device) for i in (0, 1))
        past, future = self._split(self._frames(index, corners))
        labels = self.labels[index]  # (n, objects)
        out = {"past": past, "future": future, "labels": labels[:, 0].clone(), "object_labels": labels}
        if self.fork is not None:
            branch = torch.cat([b[2] for b in blocks])[:n].to(self.device)
            ways = [self._frames(index, self.fork.corners(torch.full_like(branch, way)))[:, self.frames_in:]
                    for way in (0, 1)]  # the up and the down future, (n, frames_out, 1, H, W) each
            out |= {"futures": torch.stack(ways, dim=1), "branch": branch}
        return out

    def _draw(self, count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(garment indices (count, K), corners (count, K, T, 2), fork branches (count,) or None), on the
        generator's device."""
        if self.fork is not None:
            index, branch = draw_fork(count, len(self), generator)
            return index, self.fork.corners(branch), branch
        index, start, velocity = draw_moving(count, self.objects, len(self), self.size, generator)
        return index, moving_corners(start, velocity, self.frames, self.size), None

    def _frames(self, index: torch.Tensor, corners: torch.Tensor) -> torch.Tensor:
        """The whole sequences (count, T, 1, H, W) float32 in [-1, 1] of garments `index` at `corners`."""
        index, corners = index.to(self.device), corners.to(self.device)
        return to_float(paste(self.garments[index][:, :, 0], corners, self.size)).unsqueeze(2)

    def _split(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(past, future) of whole sequences (count, T, 1, H, W)."""
        return frames[:, :self.frames_in], frames[:, self.frames_in:]


def _count(cfg, key: str, why: str) -> int:
    """data.<key> as an int >= 1, or a GankitError saying why it must be."""
    value = getattr(cfg, key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise GankitError(f"data.{key}={value!r} is not valid for data.name={cfg.name}: {why}; set data.{key} to a "
                      "whole number of 1 or more (10 frames each way is the Moving MNIST protocol).")


def _resolution(cfg, world: str, resolution: int | None) -> int:
    """data.resolution, or the world's default, checked against the smallest frame its garment can use."""
    size = DEFAULT_RESOLUTION[world] if resolution is None else resolution
    if size >= MIN_RESOLUTION:
        return size
    side = fork_garment_side(size) if world == "fork" else moving_garment_side(size)
    raise GankitError(f"data.resolution={size} is too small for data.name={cfg.name}: its garments would be "
                      f"{side} px; set data.resolution to {MIN_RESOLUTION} or more "
                      f"(default {DEFAULT_RESOLUTION[world]}).")


def _load(cfg, world: str) -> SequenceDataset:
    """The world's SequenceDataset from the Fashion-MNIST split data.split, options checked before the read."""
    resolution, channels, limit = image_options(cfg)
    if channels not in (None, 1):
        raise GankitError(f"data.channels={channels} is not valid for data.name={cfg.name}: its frames are grey; "
                          "set data.channels to 1 or leave it unset.")
    size = _resolution(cfg, world, resolution)
    frames_in = _count(cfg, "frames_in", "a prediction reads at least one past frame")
    frames_out = _count(cfg, "frames_out", "a prediction makes at least one future frame")
    objects = _count(cfg, "objects", "a sequence moves at least one garment") if world == "moving" else 1
    if world == "fork":
        check_fork_fit(size, frames_in, frames_out)
    source = read_fashion_mnist(cfg)
    images, labels = cut(limit, source.images, source.labels)
    return SequenceDataset(images, labels, world, size, frames_in, frames_out, objects, cfg.name)


def load_moving_fashion(cfg) -> SequenceDataset:
    """Moving MNIST with Fashion-MNIST garments: data.objects garments bouncing in data.resolution px frames."""
    return _load(cfg, "moving")


def load_fork(cfg) -> SequenceDataset:
    """The two-futures world: one garment reaches a junction in the last past frame, then goes up or down."""
    return _load(cfg, "fork")
