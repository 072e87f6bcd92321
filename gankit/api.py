"""The library API behind the command line: train, load_run, sample, evaluate, translate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import torch

from gankit.config import Config, apply_overrides, from_dict, load_config, load_yaml, resolve_recipe, to_dict
from gankit.config_rules import flatten
from gankit.errors import GankitError
from gankit.data import DataSpec
from gankit.objectives import OBJECTIVES, EvalRequest, Family, Parts
from gankit.train import checkpoint as ckpt
from gankit.train import train_run
from gankit.train.loop import RESUMABLE_KEYS, unresumable_changes
from gankit.train.device import resolve_device
from gankit.train.session import build_parts, family_of, load_nets
from gankit.train.distributed import world_from_env
from gankit.train.launch import check_world, finish_launch, launch_run_dir, process_group
from gankit.train.run_dir import latest_run_dir



class Run(NamedTuple):
    """A trained run loaded from its folder."""

    cfg: Config
    G: torch.nn.Module          # the network that samples (the EMA copy when the run kept one)
    D: torch.nn.Module | None   # the discriminator, where the family has one named D
    step: int
    path: Path
    parts: Parts                # every network of the family, by name
    family: Family
    spec: DataSpec | None = None  # what the networks were built for (shape, classes and their names)


def resolve(recipe: str | Config, overrides: list[str] | None = None) -> tuple[Config, str]:
    """A recipe name, YAML path or Config, with overrides applied -> (config, run name)."""
    if isinstance(recipe, Config):
        cfg, name = apply_overrides(recipe, list(overrides or [])), "custom"
    else:
        cfg, name = load_config(recipe, list(overrides or [])), resolve_recipe(recipe).stem
    family_of(cfg)  # an unknown objective fails before a run folder exists
    return cfg, name


def resume_config(run_dir: Path, overrides: list[str]) -> Config:
    """The run's own config, with only the keys that are safe to change on resume."""
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise GankitError(f"{run_dir} is not a gankit run folder (no config.yaml); give the folder `gankit train` printed.")
    cfg = from_dict(load_yaml(path), source=str(path))
    before = flatten(to_dict(cfg))
    cfg = apply_overrides(cfg, overrides)
    changed = unresumable_changes(flatten(to_dict(cfg)), before)
    for text in overrides:  # a key set to the value the run already has is no change
        key = text.partition("=")[0].strip()
        if key in changed:
            raise GankitError(f"'{key}' cannot change when resuming (only {', '.join(RESUMABLE_KEYS)} can); "
                              "start a new run instead.")
    return cfg


def train(recipe: str | Config, out: str | Path = "runs", overrides: list[str] | None = None,
          resume: bool | str | Path = False) -> Path:
    """Train a recipe into a new numbered folder under `out` (or continue one); return the folder.

    Under torchrun every process calls this: rank 0 makes the folder and tells the others (gankit.train.launch).
    """
    overrides = list(overrides or [])
    world = world_from_env()
    if resume:
        if resume is True:
            _, name = resolve(recipe, [])
            run_dir = latest_run_dir(Path(out), name)
            if run_dir is None:
                raise GankitError(f"no earlier '{name}' run under {out} to resume; drop --resume to start one.")
        else:
            run_dir = Path(resume)
        cfg = resume_config(run_dir, overrides)
    else:
        cfg, name = resolve(recipe, overrides)
    check_world(cfg, world)
    with process_group(world, cfg.train.dist_timeout):
        if not resume:
            run_dir, resume = launch_run_dir(Path(out), name, world)
            cfg = resume_config(run_dir, overrides) if resume else cfg
        try:
            train_run(cfg, run_dir, resume=bool(resume), world=world)
        except BaseException as exc:
            _failed(exc, cfg, run_dir if world.main else None, resume)
            raise
        finish_launch(Path(out), world)
    return run_dir


def _failed(exc: BaseException, cfg: Config, run_dir: Path | None, resume) -> None:
    """A training failure: an empty new run folder removed (by the process that made it: run_dir is None in the
    others); running out of memory said as such."""
    _remove_if_empty(run_dir, resume)
    if isinstance(exc, (MemoryError, RuntimeError)):
        if isinstance(exc, MemoryError) or _out_of_memory(exc):
            raise GankitError(f"training ran out of memory at train.batch_size={cfg.train.batch_size} "
                              f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); lower "
                              "train.batch_size or model.width.") from None


def _out_of_memory(exc: BaseException) -> bool:
    """Whether an error is an allocation failure (CUDA's OutOfMemoryError, or the CPU allocator's RuntimeError)."""
    text = str(exc).lower()
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in text or "can't allocate memory" in text


def _remove_if_empty(run_dir: Path | None, resume) -> None:
    if run_dir is not None and not resume and run_dir.is_dir() and not any(run_dir.iterdir()):
        run_dir.rmdir()  # a run that failed before writing anything leaves no folder for --resume to pick


def _checkpoint_path(run_dir: Path, which: str) -> Path:
    found = ckpt.list_checkpoints(Path(run_dir) / "checkpoints")
    if which == "latest":
        if not found:
            raise GankitError(f"{run_dir} has no checkpoint yet; train it first (`gankit train`).")
        return found[-1]
    which = str(which).strip()
    name = "best.json" if which == "best" else f"ckpt-{int(which):06d}.json" if which.isdigit() else f"ckpt-{which}.json"
    path = Path(run_dir) / "checkpoints" / name
    if not path.is_file():
        why = " (a best one needs train.eval_every > 0)" if which == "best" else ""
        raise GankitError(f"{run_dir} has no checkpoint '{which}'{why}; use 'latest' or one of "
                          f"{', '.join(p.stem.removeprefix('ckpt-') for p in found) or 'none'}.")
    return path


def read_checkpoint(run_dir: str | Path, checkpoint: str = "latest") -> tuple[dict, dict, Path]:
    """A run's checkpoint as (tensors, meta, its path): 'latest', 'best' or a step; a damaged newest checkpoint
    falls back to the one before, saying so."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise GankitError(f"run folder {run_dir} does not exist; give the folder `gankit train` printed.")
    path = _checkpoint_path(run_dir, checkpoint)
    if checkpoint != "latest":
        return (*ckpt.load_checkpoint(path), path)
    tensors, meta, path, skipped = ckpt.load_newest_good(path.parent)
    for damaged in skipped:
        print(f"gankit: skipping a damaged checkpoint, {damaged}; using {path.name}.", file=sys.stderr)
    return tensors, meta, path


def load_run(run_dir: str | Path, checkpoint: str = "latest", device: str = "cpu") -> Run:
    """Load a run's config and networks from a checkpoint (no data needed), on `device`."""
    run_dir = Path(run_dir)
    tensors, meta, path = read_checkpoint(run_dir, checkpoint)
    if not isinstance(meta.get("config"), dict):
        raise GankitError(f"{path} keeps no config, so its networks cannot be rebuilt; use a checkpoint that "
                          "`gankit train` wrote.")
    cfg = from_dict(meta["config"], source=f"{run_dir} checkpoint", note_renames=False)
    kind, shape, classes, *rest = meta.get("spec") or ("image" if len(meta["shape"]) == 3 else "toy", meta["shape"], 0)
    if not any(k.split(".")[0].endswith("_ema") for k in tensors):
        cfg.train.ema = 0.0  # the run kept no EMA copy
    # Older checkpoints stop after the classes (no names), the names (no multi_label) or multi_label (no vocab).
    spec = DataSpec(kind, tuple(shape), classes, tuple(rest[0]) if rest else (), bool(rest[1]) if rest[1:] else False,
                    tuple(rest[2]) if rest[2:] else (), rest[3] if rest[3:] else " ")
    parts = build_parts(cfg, spec)
    parts.counters.update(meta.get("counters", {}))
    load_nets(parts, tensors)
    target = resolve_device(device)
    for net in parts.nets.values():
        net.to(target).eval()
    for name, value in parts.buffers.items():
        parts.buffers[name] = tensors.get(f"buffer.{name}", value).to(target)
    return Run(cfg, parts.sampling_net(), parts.nets.get("D"), meta["step"], run_dir, parts, family_of(cfg), spec)


def check_arguments(run: Run, command: str, arguments: dict) -> dict:
    """The arguments given (None: not given) that this run's family takes for `command`; one sentence for
    one it does not take, naming the families that do."""
    given = {name: value for name, value in arguments.items() if value is not None}
    takes = {a.name for a in run.family.arguments if command in a.commands}
    for name in given:
        if name not in takes:
            owners = {objective: a for objective, family in OBJECTIVES.items() for a in family.arguments
                      if a.name == name and command in a.commands}
            if not owners:
                raise GankitError(f"'{name}' is not an argument of gankit {command}; see gankit {command} --help.")
            flag = "/".join(next(iter(owners.values())).flags or (f"--{name}",))
            raise GankitError(f"{flag} is for {' and '.join(owners)} runs; {run.path} is an "
                              f"objective={run.cfg.objective} run: drop it.")
    return given


@torch.no_grad()
def draw(run: Run, n: int | None = None, seed: int = 0, **arguments) -> tuple[torch.Tensor, dict]:
    """(n samples, the inputs they were generated from) of a loaded run, the family's own arguments checked."""
    if n is not None and n < 1:
        raise GankitError(f"--n is {n}; ask for at least one sample.")
    given = check_arguments(run, "sample", arguments)
    inputs = run.family.inputs(run.parts, n, torch.Generator().manual_seed(seed), **given)
    return run.family.generate(run.parts, inputs, chunk=256), inputs


def sample(run: str | Path | Run, n: int | None = None, seed: int = 0, return_labels: bool = False, **arguments):
    """n samples from a run's generator on the CPU (n=None: the family's default, 64 or 8 a class): images
    (n, C, H, W) in [-1, 1], toy samples (n, dim), or whatever the family generates.

    Keyword arguments are the family's own (Family.arguments), e.g. labels= for a conditional run: the classes
    (an index, a name, a comma list or a sequence; the samples are shared equally among them, in the order
    given). With return_labels, (samples, the labels (n,) they were drawn for, or None) is returned.
    """
    if not isinstance(run, Run):
        run = load_run(run)
    x, inputs = draw(run, n, seed, **arguments)
    return (x, inputs.get("y")) if return_labels else x


def evaluate(run: str | Path | Run, metrics: str | list[str] | None = None, n: int = 10000, seed: int = 0,
             device: str = "cpu", extractor: str | None = None, inception_weights: str | None = None,
             out_dir: str | Path | None = None) -> dict:
    """Score a run with its family's own evaluation: the metric groups `metrics` names (a comma list or a list;
    None: the family's defaults for this data) on n samples or test examples. Pictures the evaluation draws
    (memorization pairs) go to out_dir when given. Nothing in the run folder changes."""
    if not isinstance(run, Run):
        run = load_run(run, device=device)
    evaluation = run.family.evaluation
    groups = evaluation.groups(run.cfg, run.spec)
    if metrics is None:
        names = list(evaluation.defaults(run.cfg, run.spec))
    else:
        names = [m.strip() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip()]
    for name in names:
        if name not in groups:
            raise GankitError(f"metric '{name}' does not apply to this objective={run.cfg.objective} run on "
                              f"data.name={run.cfg.data.name}; choose from {', '.join(groups)}.")
    if n < 2:
        raise GankitError(f"--n is {n}; evaluation needs at least 2 samples (10000 is usual).")
    request = EvalRequest(groups=tuple(names), n=n, seed=seed, device=device, extractor=extractor,
                          inception_weights=inception_weights, out_dir=Path(out_dir) if out_dir else None)
    return {"step": run.step, **evaluation.prepare(run.parts, request)()}


def require_translation(run: Run) -> None:
    """One sentence for a run whose family does not translate images."""
    if not run.family.translates:
        takers = ", ".join(name for name, family in OBJECTIVES.items() if family.translates)
        raise GankitError(f"{run.path} is an objective={run.cfg.objective} run; gankit translate needs a run of "
                          f"{takers} (draw samples of other runs with gankit sample).")


@torch.no_grad()
def translate(run: str | Path | Run, images: torch.Tensor, **arguments) -> torch.Tensor:
    """A translation run's outputs for images (N, C, H, W) in [-1, 1] of the run's shape, on the CPU.

    Keyword arguments are the family's own (Family.arguments): direction= (AtoB | BtoA) for CycleGAN,
    target= (a domain, or NAME=0|1 attribute pairs) for StarGAN.
    """
    if not isinstance(run, Run):
        run = load_run(run)
    require_translation(run)
    images = torch.as_tensor(images).float()
    if tuple(images.shape[1:]) != tuple(run.spec.shape):
        raise GankitError(f"images are shaped {tuple(images.shape[1:])} but the run translates "
                          f"{tuple(run.spec.shape)}; convert them to its channels and resolution.")
    given = check_arguments(run, "translate", arguments)
    inputs = run.family.inputs(run.parts, len(images), torch.Generator().manual_seed(0), images=images, **given)
    return run.family.generate(run.parts, inputs, chunk=256)
