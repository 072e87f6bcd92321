"""The training loop: one function, read top to bottom, for every family."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import torch
from tqdm import tqdm

from gankit.config import Config, from_dict, save_config, to_dict
from gankit.config_rules import flatten
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt
from gankit.train.device import place_data
from gankit.train.distributed import SINGLE, World, agree, barrier
from gankit.train.evaluator import TrainingEvaluator
from gankit.train.pictures import finish_pictures
from gankit.train.run_dir import StatsLog
from gankit.train.session import Session, advance, settle_sampler, precision_note, speedup_note, start_session


# What may change when a run is resumed: how long and how it reports, not what it learns.
RESUMABLE_KEYS = ("train.steps", "train.minutes", "train.log_every", "train.sample_every", "train.checkpoint_every",
                  "train.keep_checkpoints", "train.progress", "train.tensorboard", "train.dist_timeout")


def unresumable_changes(now: dict, then: dict) -> list[str]:
    """The keys of two flattened configs whose values differ, bar those a resume may change; sorted."""
    return [key for key in sorted(set(now) | set(then)) if key not in RESUMABLE_KEYS and now.get(key) != then.get(key)]


class DivergedError(GankitError):
    """Training produced NaN or inf; the run stopped and its last good checkpoint was kept."""

    exit_code = 3


def _last_good(run_dir: Path) -> str:
    kept = ckpt.list_checkpoints(run_dir / "checkpoints")
    return f"the last good checkpoint is {kept[-1].name}" if kept else "no checkpoint was written yet"


def _check_means(record: dict, first_step: int, run_dir: Path) -> None:
    # The interval's means are read anyway; a NaN or inf in any step of it shows there.
    bad = [k for k, v in record.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        steps = f"step {record['step']}" if first_step == record["step"] else f"steps {first_step}-{record['step']}"
        raise DivergedError(f"training diverged in {steps} ({bad[0]} is {record[bad[0]]}); {_last_good(run_dir)} "
                            f"in {run_dir}; lower g_optim.lr / d_optim.lr or add a penalty (loss.penalty=gp).")


def _save(s: Session, run_dir: Path, stem: str | None = None) -> None:
    # Every process takes part (each one's own state is gathered); rank 0 writes, then all wait for it.
    # One device read for every network: a diverged network is never written.
    nets = list(s.nets.items())
    finite = torch.stack([torch.stack([torch.isfinite(p).all() for p in net.parameters()]).all()
                          for _, net in nets]).tolist()
    if not all(finite):
        name = nets[finite.index(False)][0]
        raise DivergedError(f"training diverged by step {s.step} ({name}'s weights hold NaN or inf); no checkpoint "
                            f"was written for it; {_last_good(run_dir)}; lower the learning rates and try again.")
    tensors, meta = s.tensors()
    meta["config"] = to_dict(s.cfg)
    if s.t.world.main:
        ckpt.save_checkpoint(run_dir / "checkpoints", s.step, tensors, meta, stem=stem)
        if stem is None:
            ckpt.prune_checkpoints(run_dir / "checkpoints", s.cfg.train.keep_checkpoints)
    barrier(s.t.world)


def _evaluate(s: Session, evaluator, log: StatsLog, run_dir: Path) -> None:
    # The best checkpoint is written before the regular one, so that one records it for --resume. Under
    # torchrun rank 0 alone evaluates (the others hold no evaluator) and tells the others whether it is a best.
    better = False
    if evaluator is not None:
        values = evaluator()  # the metric that steers the best checkpoint, and the others of its group
        value = values[evaluator.metric]
        log.write({"step": s.step, **{f"metrics/{name}": v for name, v in values.items()}})
        best = s.extra.get("best")
        better = evaluator.better(value, best["value"] if best else None)
        if better:
            s.extra["best"] = {"metric": evaluator.metric, "value": value, "step": s.step}
    if agree(better, s.t.world):
        _save(s, run_dir, stem="best")


def _check_same_config(cfg: Config, meta: dict, run_dir: Path) -> None:
    """The run's config.yaml must say what its checkpoint was trained with (bar the keys a resume may change)."""
    if "config" not in meta:
        return  # gankit 0.1's checkpoints kept no config
    # The checkpoint's config in today's layout (keys of older gankit versions under their new names).
    now, then = flatten(to_dict(cfg)), flatten(to_dict(from_dict(meta["config"], note_renames=False)))
    changed = unresumable_changes(now, then)
    if changed:
        key = changed[0]
        raise GankitError(f"{run_dir / 'config.yaml'} says {key}={now.get(key)} but the checkpoint was trained "
                          f"with {then.get(key)}; was config.yaml edited? Restore that value to resume.")


def _resume(s: Session, run_dir: Path) -> None:
    """Continue from the newest checkpoint that loads: the same state, bit for bit; nothing is written here."""
    _newest_checkpoint(run_dir)  # a run with none at all is one sentence
    tensors, meta, path, skipped = ckpt.load_newest_good(run_dir / "checkpoints")
    for damaged in skipped if s.t.world.main else ():
        print(f"gankit: skipping a damaged checkpoint, {damaged}; resuming from {path.name}.", file=sys.stderr)
    _check_same_config(s.cfg, meta, run_dir)
    saved, world = meta.get("world_size", 1), s.t.world
    if saved != world.size and world.main:
        print(f"gankit: {path.name} was saved by {saved} process(es) and {world.size} continue it: weights, "
              "optimizers and the data and noise streams are the same in every process and go on as saved; "
              f"process r takes process r mod {saved}'s own dropout generator and image pools.", file=sys.stderr)
    s.restore(tensors, meta)
    if s.step > s.cfg.train.steps:
        raise GankitError(f"{run_dir} is already at step {s.step}, past train.steps={s.cfg.train.steps}; resume "
                          f"with train.steps above {s.step}, or sample and evaluate it as it is.")


def _newest_checkpoint(run_dir: Path) -> Path:
    found = ckpt.list_checkpoints(run_dir / "checkpoints")
    if not found:
        raise GankitError(f"{run_dir} has no checkpoint to resume from; start a new run without --resume.")
    return found[-1]


def _picture(s: Session, data, stem: Path, log: StatsLog | None = None) -> None:
    # The family draws its own progress picture (a grid, a toy plot, ...) and picks its suffix.
    preview = s.family.preview(s.parts, data)
    s.family.draw(stem, preview, data)
    if log is not None and preview.get("kind") == "grid":
        log.add_image("samples", preview["images"], s.step)


def _out_of_time(s: Session, pending: float = 0.0) -> bool:
    """Whether train.minutes of training time (plus `pending` seconds not yet added) are spent; under torchrun,
    as soon as one process's clock says so, for every process at the same step."""
    minutes = s.cfg.train.minutes
    return minutes is not None and agree(s.wall_time + pending >= 60 * minutes, s.t.world)


def _outputs(s: Session, data, run_dir: Path, log: StatsLog, evaluator, last: bool) -> None:
    """The step's picture, evaluation and checkpoint, each when it is due (or on the last step)."""
    tc, main = s.cfg.train, s.t.world.main
    picture, save = main and (s.step % tc.sample_every == 0 or last), s.step % tc.checkpoint_every == 0 or last
    evaluate = tc.eval_every > 0 and (s.step % tc.eval_every == 0 or last)
    if main and (picture or evaluate or save):
        settle_sampler(s)  # an EMA copy's BatchNorm statistics from its own weights (only rank 0's are written)
    if picture:
        _picture(s, data, run_dir / "samples" / f"step-{s.step:06d}", log)
    if evaluate:
        _evaluate(s, evaluator, log, run_dir)
    if save:
        _save(s, run_dir)


def train_run(cfg: Config, run_dir: Path, resume: bool = False, world: World = SINGLE) -> dict[str, Path]:
    """Train (or continue) the run in run_dir; return the paths of its pictures. Under torchrun (`world`) every
    process runs this with the same run_dir; rank 0 alone writes into it."""
    tc, main = cfg.train, world.main
    run_dir = Path(run_dir)

    # Data, networks, optimizers and every random stream, all from the seed.
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, world=world, resuming=resume)
    train_data = place_data(data, s.t.device)  # pictures and metrics keep reading `data` on the CPU
    for note in (speedup_note(s), precision_note(s), getattr(data, "note", "") and f"data: {data.note}."):
        if note and main:
            print(f"gankit: {note}", file=sys.stderr)

    if resume:
        _resume(s, run_dir)
    # The log is checked (and cut back to the checkpoint) before config.yaml is written: a resume that
    # fails leaves the run as it was.
    log = StatsLog(run_dir / "stats.jsonl", keep_until=s.step,
                   tensorboard_dir=run_dir / "tensorboard" if tc.tensorboard else None, world=world)
    evaluator = TrainingEvaluator(s) if tc.eval_every and main else None
    samples_dir = run_dir / "samples"
    if main:
        save_config(cfg, run_dir / "config.yaml")
        samples_dir.mkdir(exist_ok=True)
        if s.step == 0:
            _picture(s, data, samples_dir / "step-000000")

    bar = tqdm(total=tc.steps, initial=s.step, disable=not (tc.progress and main), unit="step", dynamic_ncols=True)
    try:
        interval_start, mark = s.step + 1, time.perf_counter()
        while s.step < tc.steps and not _out_of_time(s):
            # One iteration; its statistics stay on the device until the interval ends.
            log.accumulate(advance(s, train_data))
            bar.update(1)
            last = s.step == tc.steps or _out_of_time(s, time.perf_counter() - mark)
            means = log.means() if s.step % tc.log_every == 0 or last else None  # the interval's one device read
            s.wall_time += time.perf_counter() - mark

            # Bookkeeping, not counted as training time: log, pictures, evaluation, checkpoint.
            if means is not None:
                record = {"step": s.step, "wall_time": round(s.wall_time, 3), "examples_seen": s.t.examples, **means}
                log.write(record)
                _check_means(record, interval_start, run_dir)
                interval_start = s.step + 1
                bar.set_postfix({k: f"{record[k]:.3f}" for k in s.family.headline if k in record})
            _outputs(s, data, run_dir, log, evaluator, last)
            mark = time.perf_counter()
    finally:
        bar.close()
        log.close()
        if main and s.t.augmentation is not None and s.t.augmentation.adaptive:
            print(f"gankit: ADA's augmentation probability p is {s.t.augment_p.item():.3f} at step {s.step} (r_t "
                  f"{s.t.augment_rt.item():.3f}, target {s.t.augmentation.target}).", file=sys.stderr)
        pictures = finish_pictures(run_dir) if main else {}
        if main:
            _write_report(run_dir)
    return pictures


def _write_report(run_dir: Path) -> None:
    """report.html in the run folder, from its files; a failure is said, and the run itself stays as it is."""
    from gankit.report import report

    try:
        report([run_dir])
    except Exception as exc:  # the report reads files a user may have edited; training is already saved
        print(f"gankit: {run_dir / 'report.html'} could not be written ({type(exc).__name__}: {exc}); "
              f"`gankit report {run_dir}` tries again.", file=sys.stderr)
