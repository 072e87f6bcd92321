"""gankit.train.distributed.average_gradients in two real gloo processes: a gradient penalty's and R1's
gradients (double backward, a last-layer bias) equal one process's on the whole batch, every parameter; a
parameter no process reached keeps no gradient; one only some reached gets their sum over the processes."""

import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from gankit.losses import gradient_penalty, r1_penalty
from gankit.losses.penalties import penalty_points
from gankit.train.distributed import World, average_gradients

pytestmark = pytest.mark.slow


def critic() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))  # the last layer has a bias


def batch():
    gen = torch.Generator().manual_seed(1)
    real, fake = torch.randn(8, 3, generator=gen), torch.randn(8, 3, generator=gen)
    return real, fake, penalty_points(8, real, gen)


def losses(D, real, fake, eps) -> torch.Tensor:
    real = real.clone().requires_grad_(True)
    r1 = r1_penalty(D(real).squeeze(1), real)
    return gradient_penalty(lambda x: D(x).squeeze(1), real.detach(), fake, eps) + r1 + D(fake).mean()


def worker(rank: int, port: int, out: dict) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=2)
    try:
        world = World(rank=rank, size=2)
        D, (real, fake, eps) = critic(), batch()
        lo = 4 * rank
        unused = nn.Parameter(torch.ones(2))  # no process differentiates it
        half = nn.Parameter(torch.ones(2))  # only rank 0 does
        loss = losses(D, real[lo:lo + 4], fake[lo:lo + 4], eps[lo:lo + 4])
        if rank == 0:
            loss = loss + (half * 3).sum()
        loss.backward()
        params = list(D.parameters()) + [unused, half]
        average_gradients(params, world)
        out[rank] = [None if p.grad is None else p.grad.clone() for p in params]
    finally:
        dist.destroy_process_group()


def test_two_processes_average_penalty_gradients_to_the_whole_batchs():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = mp.Manager().dict()
    mp.spawn(worker, args=(port, out), nprocs=2, join=True)
    D, (real, fake, eps) = critic(), batch()
    losses(D, real, fake, eps).backward()
    for rank in (0, 1):
        *grads, unused, half = out[rank]
        for p, g in zip(D.parameters(), grads):
            assert torch.allclose(g, p.grad, rtol=1e-5, atol=1e-7)
        assert unused is None
        assert torch.equal(half, torch.full((2,), 1.5))  # rank 0's 3, rank 1's nothing, over 2 processes
