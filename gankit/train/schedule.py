"""Learning-rate decay and momentum ramps as functions of the G step (so a resumed run needs no extra state).

The 2014 reference code divides the learning rate by 1.000004 after every
update (never below 1e-6) and raises SGD's momentum linearly from 0.5 to 0.7
between epochs 1 and 250; `OptimConfig.lr_decay`, `min_lr`, `final_momentum`
and `momentum_ramp` express the same. pix2pix and CycleGAN keep the rate
constant, then decay it linearly to 0 (`linear_decay: [start, end]`). A family with phases may switch the
rate at a step (`lr_from: [step, lr]`: RelGAN pretrains G at 1e-2, then trains it adversarially at 1e-4).
"""

from __future__ import annotations

import torch

from gankit.config import OptimConfig


def scheduled(cfg: OptimConfig, step: int) -> tuple[float, float]:
    """(learning rate, momentum) for the update that follows `step` completed G steps."""
    lr = max(cfg.min_lr, cfg.lr / cfg.lr_decay ** step) if cfg.lr_decay != 1.0 else cfg.lr
    if cfg.linear_decay is not None:  # pix2pix / CycleGAN: constant, then linearly to 0
        start, end = cfg.linear_decay
        lr = cfg.lr * min(1.0, max(0.0, (end - step) / (end - start)))
    if cfg.lr_from is not None and step >= cfg.lr_from[0]:
        lr = cfg.lr_from[1]
    momentum = cfg.momentum
    if cfg.final_momentum is not None:
        first, last = cfg.momentum_ramp
        share = 1.0 if step >= last else 0.0 if step <= first else (step - first) / (last - first)
        momentum = cfg.momentum + (cfg.final_momentum - cfg.momentum) * share
    return lr, momentum


def is_scheduled(cfg: OptimConfig) -> bool:
    """Whether the config asks for any change of lr or momentum over training."""
    return (cfg.lr_decay != 1.0 or cfg.final_momentum is not None or cfg.linear_decay is not None
            or cfg.lr_from is not None)


def apply_schedule(optimizer: torch.optim.Optimizer, cfg: OptimConfig, step: int) -> None:
    """Set every parameter group's lr (and momentum, for SGD / RMSprop) for the next update."""
    if not is_scheduled(cfg):
        return
    lr, momentum = scheduled(cfg, step)
    for group in optimizer.param_groups:
        group["lr"] = lr
        if "momentum" in group:
            group["momentum"] = momentum
