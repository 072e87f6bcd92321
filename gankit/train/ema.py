"""Exponential moving average of a network's weights."""

import copy

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
