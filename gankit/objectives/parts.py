"""What a family declares once, so that the loop, checkpoints, EMA, sampling and pictures need not know it.

A family is one module in gankit/objectives/ whose functions are gathered in
a `Family`; what it trains is a `Parts`. The training machinery (gankit.train)
builds optimizers and EMA copies from these declarations, saves and restores
every entry, and hands the family a step context for everything that touches
devices, precision, randomness and weight updates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

import torch
from torch import nn


class OptimizerSpec(NamedTuple):
    """One optimizer: its config (gankit.config.OptimConfig) and the networks whose parameters it updates."""

    cfg: Any
    nets: tuple[str, ...]


@dataclass
class Parts:
    """Everything a family trains, by name."""

    cfg: Any                                   # the run's gankit.config.Config
    nets: dict[str, nn.Module]                 # "G", "D", ... (EMA copies are added by the trainer)
    optimizers: dict[str, OptimizerSpec]       # "G", "D", ...: what t.update(name, loss) steps
    emas: dict[str, str] = field(default_factory=dict)         # EMA copy -> source net, kept when train.ema > 0
    buffers: dict[str, torch.Tensor] = field(default_factory=dict)  # shared tensors saved in checkpoints
    local: dict[str, torch.Tensor] = field(default_factory=dict)    # per-process tensors (image pools)
    counters: dict[str, float] = field(default_factory=dict)        # JSON scalars saved in checkpoints
    sampler: str = "G"                         # the network that draws samples (its EMA copy when kept)

    def sampling_net(self) -> nn.Module:
        """The network that draws samples: the sampler's EMA copy when there is one."""
        for ema, source in self.emas.items():
            if source == self.sampler and ema in self.nets:
                return self.nets[ema]
        return self.nets[self.sampler]


class Family(NamedTuple):
    """A GAN family's behaviour: plain functions of its Parts."""

    build: Callable        # (cfg, spec: DataSpec, data | None) -> Parts; must work without data (load_run)
    train_step: Callable   # (parts, data, t) -> dict[str, 0-d Tensor]: one iteration, no host syncs
    inputs: Callable       # (parts, n, generator) -> dict of CPU tensors: what `generate` needs for n samples
    generate: Callable     # (parts, inputs) -> samples on the CPU, from the sampling net in eval mode
    preview: Callable      # (parts, data) -> dict: what the progress picture shows (gankit.train.pictures draws it)
