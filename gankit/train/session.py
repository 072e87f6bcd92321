"""A training session: a family's Parts on a device, its optimizers, EMA copies and step context.

`start_session` builds one from a config and data exactly as `gankit train`
does; `advance` runs one iteration (the family's step, then the EMA). The
reproductions and the benchmarks train through these two functions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import torch

from gankit.augment import augmentation_of
from gankit.config import Config, OptimConfig, sync_options
from gankit.data import DataSpec, spec_of
from gankit.errors import GankitError
from gankit.objectives import OBJECTIVES, Family, Parts
from gankit.train import checkpoint as ckpt
from gankit.train.context import StepContext, stream_seed
from gankit.train.distributed import SINGLE, World, broadcast_module, gather_tensor
from gankit.train.sync_bn import sync_batch_norms
from gankit.train.device import configure_determinism, resolve_device, resolve_precision
from gankit.train.ema import batch_norms, make_ema, recompute_batch_norm, update_ema
from gankit.train.graphs import GraphedStep, graph_refusal
from gankit.train.warm_start import warm_start


def family_of(cfg: Config) -> Family:
    """The family that `objective:` names, or a sentence listing the others."""
    family = OBJECTIVES.get(cfg.objective)
    if family is None:
        raise GankitError(f"unknown objective '{cfg.objective}'; use one of: {', '.join(OBJECTIVES)}.")
    return family


def make_optimizer(cfg: OptimConfig, params, device: torch.device, capturable: bool = False) -> torch.optim.Optimizer:
    """Adam (fused on CUDA), RMSprop or SGD with the config's own settings (capturable: replayable in a CUDA graph)."""
    if cfg.name == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, betas=tuple(cfg.betas), weight_decay=cfg.weight_decay,
                                fused=True if device.type == "cuda" else None, capturable=capturable)
    if cfg.name == "rmsprop":
        return torch.optim.RMSprop(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay,
                                   capturable=capturable)
    return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


@dataclass
class Session:
    """Everything a checkpoint must capture to continue a run bit for bit."""

    cfg: Config
    family: Family
    parts: Parts
    t: StepContext
    spec: DataSpec                 # what the networks were built for
    step: int = 0
    wall_time: float = 0.0
    extra: dict = field(default_factory=dict)
    speedup: str | None = None     # how train.compile speeds the step: cudagraph, a torch.compile mode, or None
    graph: GraphedStep | None = None

    @property
    def nets(self) -> dict:
        """The networks by name (EMA copies included)."""
        return self.parts.nets

    def tensors(self) -> tuple[dict, dict]:
        """(safetensors dict, JSON meta) for a checkpoint."""
        t: dict = {}
        for name, net in self.parts.nets.items():
            ckpt.module_tensors(name, net, t)
        meta = {"optimizers": {name: ckpt.optimizer_to_flat(f"opt_{name}", opt, t)
                               for name, opt in self.t.optimizers.items()},
                "wall_time": self.wall_time, "extra": self.extra, "counters": self.parts.counters,
                "spec": list(self.spec)}
        for prefix, table in (("buffer", self.parts.buffers), ("local", self.parts.local)):
            for name, value in table.items():
                t[f"{prefix}.{name}"] = value.detach().cpu().clone().contiguous()
        meta["context"] = self.t.state(t)
        world = self.t.world
        if world.active:  # every process's own state: rank r's under "rank{r}/" (rank 0's where one process keeps it)
            for key in [k for k in t if _per_process(k)]:
                for rank, value in enumerate(gather_tensor(t[key], world)[1:], start=1):
                    t[f"rank{rank}/{key}"] = value.cpu()
            meta["world_size"] = world.size
        return t, meta

    def restore(self, tensors: dict, meta: dict) -> None:
        """Load a checkpoint's state into this session (under torchrun, this process's own part of it)."""
        if "optimizers" not in meta:
            tensors, meta = upgrade_v01(tensors, meta)
        tensors = own_state(tensors, meta.get("world_size", 1), self.t.world)
        load_nets(self.parts, tensors)
        for name, opt in self.t.optimizers.items():
            opt.load_state_dict(ckpt.optimizer_from_flat(f"opt_{name}", meta["optimizers"][name], tensors))
        for prefix, table in (("buffer", self.parts.buffers), ("local", self.parts.local)):
            for name in table:
                table[name] = tensors[f"{prefix}.{name}"].to(table[name].device)
        self.parts.counters.update(meta.get("counters", {}))
        self.t.restore(tensors, meta["context"])
        self.step = self.t.step = meta["step"]
        if "examples" not in meta["context"]:  # before gankit counted them: Algorithm 1's count
            tc = self.cfg.train
            self.t.examples = self.step * tc.batch_size * tc.n_critic
        self.wall_time, self.extra = meta["wall_time"], meta.get("extra", {})


def _per_process(key: str) -> bool:
    """Whether a checkpoint tensor is one process's own (torch's global generators, Parts.local)."""
    return key in ("rng.torch", "rng.cuda") or key.startswith("local.")


def own_state(tensors: dict, saved_world: int, world: World) -> dict:
    """The checkpoint's tensors as this process reads them: its own per-process state under the plain keys.
    Under another world size, process r takes saved process r mod saved_world's (the weights, optimizers and
    data and noise streams are the same in every process, so only dropout generators and pools re-shard)."""
    source = world.rank % saved_world
    if not source:
        return tensors
    own = {k.removeprefix(f"rank{source}/"): v for k, v in tensors.items() if k.startswith(f"rank{source}/")}
    return tensors | own


def upgrade_v01(tensors: dict, meta: dict) -> tuple[dict, dict]:
    """A checkpoint of gankit 0.1's GAN-only engine in today's layout (its streams were the CPU data and noise)."""
    tensors = dict(tensors)
    if "fixed_z" in tensors:
        tensors["buffer.probe_z"] = tensors.pop("fixed_z")
    meta = dict(meta, optimizers={"G": meta["opt_G"], "D": meta["opt_D"]},
                context={"streams": {"data": "cpu", "noise": "cpu"}, "scalers": {}})
    return tensors, meta


def load_nets(parts: Parts, tensors: dict) -> None:
    """Load each network's weights from checkpoint tensors, naming the network that does not fit."""
    for name, net in parts.nets.items():
        try:
            net.load_state_dict(ckpt.sub_state(name, tensors))
        except RuntimeError:
            raise GankitError(f"the checkpoint's weights for {name} do not fit the network the config builds; "
                              "was the run's config.yaml edited? Restore it.") from None


def build_parts(cfg: Config, spec: DataSpec, data=None) -> Parts:
    """Seed the global RNG (initial weights, dropout), let the family build its Parts, add the EMA copies."""
    torch.manual_seed(cfg.train.seed)
    sync_options(cfg)  # a Config edited in code after validation may hold no options for its objective yet
    parts = family_of(cfg).build(cfg, spec, data)
    parts.spec = spec
    if cfg.train.ema > 0:
        for ema, source in parts.emas.items():
            parts.nets[ema] = make_ema(parts.nets[source])
    return parts


def _trained_nets(parts: Parts) -> list[str]:
    return [name for spec in parts.optimizers.values() for name in spec.nets]


def start_session(cfg: Config, data, device: torch.device | str | None = None, world: World = SINGLE,
                  resuming: bool = False) -> Session:
    """Build a family's networks (on the CPU, from the seed, or from model.init_from's run unless resuming),
    move them to the device, make optimizers; under torchrun (`world`), on this process's GPU, with rank 0's
    weights and BatchNorm synchronised when asked."""
    device = process_device(resolve_device(device or cfg.train.device), world)
    configure_determinism(device, cfg.train.deterministic)
    spec = spec_of(data)
    if cfg.train.augment == "ada" and spec.shape[0] not in (1, 3):
        raise GankitError(f"train.augment=ada transforms grey or RGB images, and these have {spec.shape[0]} "
                          "channels; set train.augment=diffaug or none.")
    parts = build_parts(cfg, spec, data)
    if cfg.model.init_from and not resuming:
        loaded = warm_start(parts, cfg.model.init_from)
        if world.main:
            print(f"gankit: {', '.join(loaded)} start from {cfg.model.init_from}.", file=sys.stderr)
    memory = torch.channels_last if cfg.train.channels_last and len(spec.shape) == 3 else torch.preserve_format
    for net in parts.nets.values():
        net.to(device=device, memory_format=memory)
    for table in (parts.buffers, parts.local):
        for name, value in table.items():
            table[name] = value.to(device)
    if world.active:
        join_world(cfg, parts, device, world)
    family = family_of(cfg)
    speedup = speedup_of(cfg, device, [o.cfg for o in parts.optimizers.values()], family, world)
    optimizers = {name: make_optimizer(o.cfg, [p for n in o.nets for p in parts.nets[n].parameters()], device,
                                       capturable=speedup == "cudagraph")
                  for name, o in parts.optimizers.items()}
    schedules = {name: o.cfg for name, o in parts.optimizers.items()}
    t = StepContext(cfg.train.seed, device, resolve_precision(cfg.train.precision, device), optimizers, schedules,
                    world, augmentation_of(cfg.train))
    if speedup not in (None, "cudagraph"):
        _compile(cfg, parts, speedup)
    return Session(cfg=cfg, family=family, parts=parts, t=t, spec=spec, speedup=speedup)


def process_device(device: torch.device, world: World) -> torch.device:
    """Under torchrun, a GPU process's own GPU: cuda:LOCAL_RANK."""
    if world.active and device.type == "cuda":
        if world.local_rank >= torch.cuda.device_count():
            raise GankitError(f"LOCAL_RANK={world.local_rank} but this machine has {torch.cuda.device_count()} "
                              "GPU(s); give torchrun --nproc_per_node at most that many.")
        device = torch.device("cuda", world.local_rank)
        torch.cuda.set_device(device)
    return device


def join_world(cfg: Config, parts: Parts, device: torch.device, world: World) -> None:
    """Synchronised BatchNorm when asked, rank 0's weights everywhere, and each process its own dropout stream
    (torch's global generator; rank 0 keeps the one-process run's)."""
    if cfg.train.sync_bn:
        for name in _trained_nets(parts):
            parts.nets[name] = sync_batch_norms(parts.nets[name], device.type)
    for net in parts.nets.values():
        broadcast_module(net, world)
    if world.rank:
        torch.manual_seed(stream_seed(cfg.train.seed, f"torch/{world.rank}"))


def speedup_of(cfg: Config, device: torch.device, optimizer_cfgs: list, family: Family,
               world: World = SINGLE) -> str | None:
    """What train.compile does here: 'cudagraph' (the whole step as one CUDA graph), a torch.compile mode, or None.

    auto: on a GPU, one CUDA graph of the whole step where the step allows one (the fastest option,
    benchmarks/engine_race.py), else eager, because torch.compile's default mode has failed on GAN steps and
    compiles for longer than a short run gains (the measurements: docs/performance.md). Elsewhere
    torch.compile's default mode. Its reduce-overhead and max-autotune modes are not offered: they record each
    network as its own CUDA graph, whose outputs the network's next call overwrites, and a GAN step calls D on
    real and fake batches before the backward passes.
    """
    if not cfg.train.compile or (world.active and device.type == "cuda"):  # no collectives inside a graph here
        return None
    mode = cfg.train.compile_mode
    refusal = graph_refusal(cfg, device, optimizer_cfgs, family)
    if mode == "auto":
        if device.type != "cuda":
            return "default"
        return "cudagraph" if refusal is None else None
    if mode == "cudagraph" and refusal is not None:
        raise GankitError(f"train.compile_mode=cudagraph cannot record this run's step as one CUDA graph: "
                          f"{refusal}; set train.compile_mode=auto.")
    return mode


def speedup_note(s: "Session") -> str | None:
    """One line for a run whose train.compile does nothing here (auto on a GPU, a step no graph can hold)."""
    if not s.cfg.train.compile or s.speedup is not None:
        return None
    reason = graph_refusal(s.cfg, s.t.device, [spec.cfg for spec in s.parts.optimizers.values()], s.family)
    return f"train.compile: this run's step cannot be one CUDA graph ({reason}), so it trains eagerly."


def precision_note(s: "Session") -> str | None:
    """One line saying what train.precision=auto chose here."""
    if s.cfg.train.precision != "auto":
        return None
    why = ("this CPU multiplies bf16 in hardware" if s.t.precision == "bf16"
           else "auto picks bf16 only on a CPU that multiplies bf16 in hardware")
    return f"train.precision auto: {s.t.precision} on {s.t.device.type} ({why})."


def _compile(cfg: Config, parts: Parts, mode: str) -> None:
    """torch.compile each trained network in place (state_dict keys unchanged, so checkpoints are the same)."""
    if cfg.loss.penalty in ("gp", "r1"):
        raise GankitError(f"train.compile cannot differentiate twice, which loss.penalty={cfg.loss.penalty} needs; "
                          "set train.compile=false.")
    for name in _trained_nets(parts):
        parts.nets[name].compile(mode=mode)


def _iteration(s: Session, data) -> dict:
    """The family's step, then every EMA copy (what a CUDA graph records)."""
    stats = s.family.train_step(s.parts, data, s.t) | s.t.augment_stats()
    decay = s.cfg.train.ema
    if decay > 0:
        for ema, source in s.parts.emas.items():
            update_ema(s.parts.nets[ema], s.parts.nets[source], decay)
    return stats


def advance(s: Session, data) -> dict:
    """One iteration (replayed from a CUDA graph under train.compile on a GPU); the step's statistics (0-d tensors)."""
    if s.speedup == "cudagraph" and data.device == s.t.device:
        if s.graph is None:
            s.graph = GraphedStep(lambda: _iteration(s, data), data, s.t)
        stats = s.graph(data)
    else:
        stats = _iteration(s, data)
    s.step += 1
    s.t.step = s.step
    return stats


STANDING_SAMPLES = 2000  # samples whose activations give an EMA copy's BatchNorm statistics


def settle_sampler(s: Session) -> None:
    """Before samples are drawn, scored or saved: when the sampling net is an EMA copy with BatchNorm, its
    statistics recomputed from its own weights on fixed noise (gankit.train.ema.recompute_batch_norm). Training
    is untouched: the next EMA update copies the live statistics in again, so resume stays bit-exact."""
    parts = s.parts
    net = parts.sampling_net()
    if net is parts.nets[parts.sampler] or not batch_norms(net):  # no EMA copy, or no statistics to recompute
        return
    inputs = s.family.inputs(parts, STANDING_SAMPLES, torch.Generator().manual_seed(s.cfg.train.seed))
    if "z" not in inputs:  # translation: a few probe images, not fresh noise, would make poor statistics
        return
    recompute_batch_norm(net, lambda: s.family.generate(parts, inputs))
