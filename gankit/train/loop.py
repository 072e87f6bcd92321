"""The training loop: one function, read top to bottom."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm import tqdm

from gankit.config import Config, OptimConfig, save_config, to_dict
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.models import build_models, initialise
from gankit.objectives import OBJECTIVES, sample_z
from gankit.train import checkpoint as ckpt
from gankit.train.ema import make_ema, update_ema
from gankit.train.evaluator import TrainingEvaluator
from gankit.train.pictures import finish_pictures, grid_array, save_progress_picture
from gankit.train.run_dir import StatsLog
from gankit.train.schedule import apply_schedule


class DivergedError(GankitError):
    """Training produced NaN or inf; the run stopped and its last good checkpoint was kept."""

    exit_code = 3


def make_optimizer(cfg: OptimConfig, params) -> torch.optim.Optimizer:
    """Adam, RMSprop or SGD with the config's own settings."""
    if cfg.name == "adam":
        return torch.optim.Adam(params, lr=cfg.lr, betas=tuple(cfg.betas), weight_decay=cfg.weight_decay)
    if cfg.name == "rmsprop":
        return torch.optim.RMSprop(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    return torch.optim.SGD(params, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)


@dataclass
class Session:
    """Everything a checkpoint must capture to continue a run bit for bit."""

    cfg: Config
    G: torch.nn.Module
    D: torch.nn.Module
    opt_G: torch.optim.Optimizer
    opt_D: torch.optim.Optimizer
    G_ema: torch.nn.Module | None
    data_rng: torch.Generator
    noise_rng: torch.Generator
    fixed_z: torch.Tensor
    step: int = 0
    wall_time: float = 0.0
    extra: dict = field(default_factory=dict)

    def tensors(self) -> tuple[dict, dict]:
        """(safetensors dict, JSON meta) for a checkpoint."""
        t: dict = {}
        for name in ("G", "D", "G_ema"):
            if getattr(self, name) is not None:
                ckpt.module_tensors(name, getattr(self, name), t)
        meta = {"opt_G": ckpt.optimizer_to_flat("opt_G", self.opt_G, t),
                "opt_D": ckpt.optimizer_to_flat("opt_D", self.opt_D, t),
                "wall_time": self.wall_time, "extra": self.extra, "shape": list(self.G.shape)}
        t["rng.torch"] = torch.get_rng_state()
        t["rng.data"] = self.data_rng.get_state()
        t["rng.noise"] = self.noise_rng.get_state()
        t["fixed_z"] = self.fixed_z.clone()
        return t, meta

    def restore(self, tensors: dict, meta: dict) -> None:
        """Load a checkpoint's state into this session."""
        for name in ("G", "D", "G_ema"):
            if getattr(self, name) is not None:
                getattr(self, name).load_state_dict(ckpt.sub_state(name, tensors))
        self.opt_G.load_state_dict(ckpt.optimizer_from_flat("opt_G", meta["opt_G"], tensors))
        self.opt_D.load_state_dict(ckpt.optimizer_from_flat("opt_D", meta["opt_D"], tensors))
        torch.set_rng_state(tensors["rng.torch"])
        self.data_rng.set_state(tensors["rng.data"])
        self.noise_rng.set_state(tensors["rng.noise"])
        self.fixed_z = tensors["fixed_z"]
        self.step, self.wall_time, self.extra = meta["step"], meta["wall_time"], meta.get("extra", {})


def build_session(cfg: Config, data) -> Session:
    """Seed every random stream, then build networks, optimizers and the fixed noise."""
    seed = cfg.train.seed
    torch.manual_seed(seed)  # initial weights, dropout masks
    G, D = build_models(cfg.model, data.shape)
    initialise(G, D, cfg.model, data)
    return Session(
        cfg=cfg, G=G, D=D,
        opt_G=make_optimizer(cfg.g_optim, G.parameters()),
        opt_D=make_optimizer(cfg.d_optim, D.parameters()),
        G_ema=make_ema(G) if cfg.train.ema > 0 else None,
        data_rng=torch.Generator().manual_seed(seed * 3 + 1),    # which examples each batch holds
        noise_rng=torch.Generator().manual_seed(seed * 3 + 2),   # z for D and G steps, GP mixing
        fixed_z=sample_z(cfg.train.n_samples, cfg.model.z_dim, cfg.model.z_dist,
                         torch.Generator().manual_seed(seed * 3 + 3)),
    )


def _finite_or_raise(s: Session, values: dict, run_dir: Path) -> None:
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if not bad and all(torch.isfinite(p).all() for p in s.G.parameters()):
        return
    what = f"{bad[0]} is {values[bad[0]]}" if bad else "G's weights hold NaN or inf"
    kept = ckpt.list_checkpoints(run_dir / "checkpoints")
    last = f"the last good checkpoint is {kept[-1].name}" if kept else "no checkpoint was written yet"
    raise DivergedError(f"training diverged at step {s.step} ({what}); {last} in {run_dir}; "
                        "lower g_optim.lr / d_optim.lr or add a penalty (loss.penalty=gp).")


def _evaluate(s: Session, evaluator, G, log: StatsLog, run_dir: Path) -> None:
    # The best checkpoint is written before the regular one, so that one records it for --resume.
    value = evaluator(G)
    log.write({"step": s.step, f"metrics/{evaluator.metric}": value})
    best = s.extra.get("best")
    if evaluator.better(value, best["value"] if best else None):
        s.extra["best"] = {"metric": evaluator.metric, "value": value, "step": s.step}
        _save(s, run_dir, stem="best")


def _save(s: Session, run_dir: Path, stem: str | None = None) -> None:
    for name in ("G", "D"):
        if not all(torch.isfinite(p).all() for p in getattr(s, name).parameters()):
            raise DivergedError(f"training diverged at step {s.step} ({name}'s weights hold NaN or inf); "
                                f"no checkpoint was written for it; lower the learning rates and try again.")
    tensors, meta = s.tensors()
    meta["config"] = to_dict(s.cfg)
    ckpt.save_checkpoint(run_dir / "checkpoints", s.step, tensors, meta, stem=stem)
    if stem is None:
        ckpt.prune_checkpoints(run_dir / "checkpoints", s.cfg.train.keep_checkpoints)


def train_step(s: Session, objective, data) -> dict:
    """Algorithm 1: k = n_critic D steps on fresh real batches and noise, one G step, the EMA."""
    tc = s.cfg.train
    apply_schedule(s.opt_D, s.cfg.d_optim, s.step)
    apply_schedule(s.opt_G, s.cfg.g_optim, s.step)
    for _ in range(tc.n_critic):
        batch = data.sample(tc.batch_size, s.data_rng)
        s.opt_D.zero_grad(set_to_none=True)
        loss_D, stats = objective.d_loss(batch)
        loss_D.backward()
        s.opt_D.step()
        objective.after_d_step()
    s.opt_G.zero_grad(set_to_none=True)
    loss_G, g_stats = objective.g_loss(batch)
    loss_G.backward()
    s.opt_G.step()
    if s.G_ema is not None:
        update_ema(s.G_ema, s.G, tc.ema)
    return stats | g_stats


def _newest_checkpoint(run_dir: Path) -> Path:
    found = ckpt.list_checkpoints(run_dir / "checkpoints")
    if not found:
        raise GankitError(f"{run_dir} has no checkpoint to resume from; start a new run without --resume.")
    return found[-1]


def train_run(cfg: Config, run_dir: Path, resume: bool = False) -> dict[str, Path]:
    """Train (or continue) the run in run_dir; return the paths of its pictures."""
    tc = cfg.train
    run_dir = Path(run_dir)
    save_config(cfg, run_dir / "config.yaml")

    # Data, networks, optimizers and every random stream, all from the seed.
    data = load_dataset(cfg.data)
    s = build_session(cfg, data)
    objective = OBJECTIVES["gan"](s.G, s.D, cfg.loss, cfg.model.z_dist, s.noise_rng)

    # Continue from the newest checkpoint: the same state, bit for bit.
    if resume:
        s.restore(*ckpt.load_checkpoint(_newest_checkpoint(run_dir)))
    log = StatsLog(run_dir / "stats.jsonl", keep_until=s.step,
                   tensorboard_dir=run_dir / "tensorboard" if tc.tensorboard else None)
    evaluator = TrainingEvaluator(cfg, data) if tc.eval_every else None
    samples_dir = run_dir / "samples"
    samples_dir.mkdir(exist_ok=True)
    picture_G = s.G_ema if s.G_ema is not None else s.G
    if s.step == 0:
        save_progress_picture(samples_dir / "step-000000.png", picture_G, s.D, s.fixed_z, data,
                              objective.loss.probabilistic)

    bar = tqdm(total=tc.steps, initial=s.step, disable=not tc.progress, unit="step", dynamic_ncols=True)
    try:
        while s.step < tc.steps:
            started = time.perf_counter()
            stats = train_step(s, objective, data)
            s.step += 1
            s.wall_time += time.perf_counter() - started
            _finite_or_raise(s, stats, run_dir)
            bar.update(1)

            # Statistics averaged over the logging interval.
            log.accumulate(stats)
            last = s.step == tc.steps
            if s.step % tc.log_every == 0 or last:
                record = log.write_means({"step": s.step, "wall_time": round(s.wall_time, 3),
                                          "images_seen": s.step * tc.batch_size * tc.n_critic})
                bar.set_postfix(loss_D=f"{record['loss_D']:.3f}", loss_G=f"{record['loss_G']:.3f}")
            if s.step % tc.sample_every == 0 or last:
                save_progress_picture(samples_dir / f"step-{s.step:06d}.png", picture_G, s.D, s.fixed_z,
                                      data, objective.loss.probabilistic)
                if data.kind == "image":
                    log.add_image("samples", grid_array(picture_G, s.fixed_z), s.step)
            if evaluator is not None and (s.step % tc.eval_every == 0 or last):
                _evaluate(s, evaluator, picture_G, log, run_dir)
            if s.step % tc.checkpoint_every == 0 or last:
                _save(s, run_dir)
    finally:
        bar.close()
        log.close()
        pictures = finish_pictures(run_dir)
    return pictures
