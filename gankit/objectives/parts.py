"""What a family declares once, so that the loop, checkpoints, EMA, sampling, evaluation and the command line
need not know it.

A family is one module in gankit/objectives/ whose functions and declarations are gathered in a `Family`;
what it trains is a `Parts`. The training machinery (gankit.train) builds optimizers and EMA copies from
these declarations, saves and restores every entry, and hands the family a step context for everything that
touches devices, precision, randomness and weight updates. `gankit sample`, `eval` and `translate` ask the
family how its samples are written, what it is scored on and which extra arguments it takes; the config asks
it for its own keys (`options`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
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
    followers: dict[str, str] = field(default_factory=dict)  # copy -> source that the step moves by its own
                                                             # rule, never by an optimizer (SeqGAN's rollout G)
    spec: Any = None                           # the gankit.data.DataSpec the networks were built for (set by the trainer)

    def net(self, name: str) -> nn.Module:
        """A network by name, or its EMA copy when the run keeps one."""
        for ema, source in self.emas.items():
            if source == name and ema in self.nets:
                return self.nets[ema]
        return self.nets[name]

    def sampling_net(self) -> nn.Module:
        """The network that draws samples: the sampler's EMA copy when there is one."""
        return self.net(self.sampler)


def option(default, doc: str, *, choices: tuple | None = None, low: float | None = None,
           high: float | None = None, low_inclusive: bool = True, renamed_from: str | None = None):
    """One key of a family's options dataclass: its default, what it does, its allowed values or bounds
    (low <= or < value < high), and the flat key gankit 0.1-0.3 configs used for it."""
    meta = {"doc": doc, "choices": choices, "bounds": (low, high, low_inclusive), "renamed_from": renamed_from}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


def option_fields(options_type) -> tuple[dataclasses.Field, ...]:
    """The fields of a family's options dataclass (none for a family without options)."""
    return dataclasses.fields(options_type) if options_type is not None else ()


class EvalRequest(NamedTuple):
    """What `gankit eval` or train.eval_every asks a family's evaluation for."""

    groups: tuple[str, ...]          # metric groups to compute (see Evaluation.groups)
    n: int                           # samples (or test examples) to score
    seed: int = 0                    # seeds the samples and any random subsets
    device: str = "cpu"              # where samples and features are computed
    extractor: str | None = None     # feature network, where the family's metrics use one
    inception_weights: str | None = None
    out_dir: Path | None = None      # where the evaluation may leave pictures (gankit eval: the run folder)


class Evaluation(NamedTuple):
    """What `gankit eval` and train.eval_every score for a family.

    groups(cfg, spec) -> {group: (metric, ...)}: what `--metrics` may ask for on this run's data, and the
    metrics each group reports; defaults(cfg, spec) -> the groups scored when `--metrics` is not given;
    best(cfg, spec) -> the metric train.eval_metric=auto keeps the best checkpoint by; lower_is_better: the
    metrics where lower is better; prepare(parts, request) -> score(): dict, where prepare does the one-time
    work (the test split, reference features) and score() rates the current sampling net.
    """

    groups: Callable
    defaults: Callable
    best: Callable
    lower_is_better: frozenset
    prepare: Callable


class Argument(NamedTuple):
    """An extra command-line argument of `gankit sample` / `gankit translate` that a family's `inputs` takes.

    The value reaches inputs(parts, n, generator, **{name: value}); the family checks it and says what is wrong.
    """

    name: str                        # the keyword of `inputs`, and the flag --name
    commands: tuple[str, ...]        # "sample", "translate"
    help: str
    metavar: str = "VALUE"
    flags: tuple[str, ...] = ()      # other flags for the same keyword (--label for labels), default --name


class Export(NamedTuple):
    """What `gankit export` writes for a run: a network whose forward takes the inputs in order, example
    inputs (their first dimension the batch, which the exported model leaves free), and what to say about them."""

    net: nn.Module
    inputs: dict            # input name -> an example tensor (2, ...)
    meta: dict              # more for the JSON beside the model (labels, domains, the noise's distribution, ...)


def always_graphable(cfg) -> str | None:
    """For families whose step is the same kernels every iteration: no reason against a CUDA graph."""
    return None


class Family(NamedTuple):
    """A GAN family's behaviour: plain functions of its Parts, and what it declares."""

    build: Callable        # (cfg, spec: DataSpec, data | None) -> Parts; must work without data (load_run)
    train_step: Callable   # (parts, data, t) -> dict[str, 0-d Tensor]: one iteration, no host syncs
    inputs: Callable       # (parts, n | None, generator, **arguments) -> dict of CPU tensors for n samples
                           # (None: the family's default count)
    generate: Callable     # (parts, inputs) -> samples on the CPU, from the sampling net in eval mode
    preview: Callable      # (parts, data) -> dict: what the progress picture shows (see `draw`)
    evaluation: Evaluation  # what `gankit eval` and train.eval_every score
    writers: dict          # `gankit sample --out` suffix -> write(path, samples, inputs, parts); the first is the default
    data: tuple            # (the data kinds it trains on: toy, image, multi_label, paired, unpaired; what to say)
    draw: Callable         # (path stem, preview, data) -> the progress picture written (its suffix chosen by it)
    options: type | None = None     # a dataclass of the family's own config keys (see `option`), under its name
    arguments: tuple = ()           # Arguments of sample / translate
    translates: bool = False        # whether `gankit translate` applies: generate maps images inputs["x"]
    graphable: Callable = always_graphable  # (cfg) -> why one CUDA graph cannot replay its step, or None
    headline: tuple = ("loss_D", "loss_G")  # the statistics the progress bar shows
    augments: bool = False          # whether its step passes every image D sees through t.augment (train.augment)
                                    # and adds bCR to D's loss (loss.bcr_weight)
    export: Callable | None = None  # (parts, **arguments) -> Export for ONNX / TorchScript; raises GankitError
                                    # saying why where the sampling is no single network call
