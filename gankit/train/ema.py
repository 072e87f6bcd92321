"""Exponential moving average of a network's weights."""

import copy
from typing import Callable

import torch
from torch import nn


def make_ema(net: nn.Module) -> nn.Module:
    """A frozen copy of net to hold the average."""
    ema = copy.deepcopy(net).eval()
    ema.requires_grad_(False)
    return ema


@torch.no_grad()
def update_ema(ema: nn.Module, net: nn.Module, decay: float) -> None:
    """ema <- decay * ema + (1 - decay) * net, one foreach kernel per tensor list; buffers (BatchNorm statistics) are copied."""
    torch._foreach_lerp_(list(ema.parameters()), list(net.parameters()), 1 - decay)
    buffers = [(b_ema, b) for b_ema, b in zip(ema.buffers(), net.buffers())]
    if buffers:
        torch._foreach_copy_([b for b, _ in buffers], [b for _, b in buffers])


def batch_norms(net: nn.Module) -> list[nn.Module]:
    """net's BatchNorm layers that keep running statistics."""
    return [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.track_running_stats]


@torch.no_grad()
def recompute_batch_norm(net: nn.Module, forward: Callable[[], object]) -> bool:
    """Recompute net's BatchNorm running statistics from its own activations ("standing statistics", Brock et al.
    2019): reset them, then average over every batch `forward()` pushes through net (momentum None: the plain
    mean), with each BatchNorm normalising by its batch as in training. Weights are untouched. An EMA copy's
    weights are an average but the statistics `update_ema` copies are the live network's, which no longer fit
    them when the decay is high. Whether net had any BatchNorm to recompute."""
    norms = batch_norms(net)
    if not norms:
        return False
    momenta = [m.momentum for m in norms]

    def batch_statistics(module, args):  # forward() may put net in eval mode: these layers still use the batch
        module.training = True

    hooks = [m.register_forward_pre_hook(batch_statistics) for m in norms]
    try:
        for m in norms:
            m.reset_running_stats()  # in place: a CUDA graph that copies into these buffers still sees them
            m.momentum = None
        forward()
    finally:
        for hook in hooks:
            hook.remove()
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
            m.training = False  # as an EMA copy always is
    return True
