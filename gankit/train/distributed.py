"""Data-parallel training under torchrun, with PyTorch's own process group (NCCL on GPUs, gloo on CPUs).

`torchrun --nproc_per_node=N -m gankit train RECIPE` starts N processes; each learns its place from the
environment torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK). What makes N processes train as one:

- Randomness: every random stream of the step context is the run's, the same on every rank; a draw of
  per-example randomness (data indices, noise, penalty points, rollouts) is made for the global batch and each
  rank keeps its own share (`StepContext.draw`), so rank r trains on examples r*B/N..(r+1)*B/N of what one
  process would draw, and N processes give one process's training up to the order of the gradient sums.
  Dropout masks (torch's global generator) and BatchNorm statistics stay per process (`train.sync_bn: true`
  makes the statistics global).
- Gradients: averaged across ranks before every update in one flattened all-reduce per optimizer
  (`average_gradients`), with each parameter's "got a gradient" flag in the same buffer, so a parameter no rank
  differentiated keeps no gradient (Adam skips it, as it would in one process) and one that only some ranks
  reached gets their sum over N. No DistributedDataParallel wrapper: double backward (gradient penalty, R1) and
  a network used in another's step need none of its hooks.
- Only rank 0 writes (run folder, logs, pictures, checkpoints); the others learn the run folder from it.
"""

from __future__ import annotations

import datetime
import functools
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from gankit.errors import GankitError


@dataclass(frozen=True)
class World:
    """This process's place among the training processes."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    launched: bool = False  # started by torchrun (WORLD_SIZE set): a process group, even of one process

    @property
    def main(self) -> bool:
        """Whether this process writes the run's files (rank 0)."""
        return self.rank == 0

    @property
    def active(self) -> bool:
        """Whether this process trains in a process group (torchrun started it, with 1 process or more)."""
        return self.launched or self.size > 1


SINGLE = World()


class LostProcessesError(GankitError):
    """A collective failed: another process stopped (its own message says why) or dist_timeout passed."""


def _collective(fn):
    """fn, with a failure of the process group said in one sentence instead of gloo's or NCCL's traceback."""
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RuntimeError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise LostProcessesError(f"lost contact with the other training processes ({first}); the process "
                                     "that stopped first says why. Continue with `torchrun ... gankit train RECIPE "
                                     "--resume`.") from None
    return wrapped


def world_from_env(environ=os.environ) -> World:
    """The World torchrun describes in the environment (one process when WORLD_SIZE is unset)."""
    if "WORLD_SIZE" not in environ:
        return SINGLE
    try:
        world = World(int(environ.get("RANK", "0")), int(environ["WORLD_SIZE"]), int(environ.get("LOCAL_RANK", "0")),
                      launched=True)
    except ValueError:
        raise GankitError("RANK, WORLD_SIZE and LOCAL_RANK must be whole numbers (torchrun sets them); unset them "
                          "to train in one process.") from None
    if not 0 <= world.rank < world.size:
        raise GankitError(f"RANK={world.rank} is outside WORLD_SIZE={world.size}; launch with torchrun, which sets "
                          "both.")
    return world


@_collective
def start(world: World, timeout_s: float) -> None:
    """Join the process group when there are several processes: gloo for CPU tensors, and NCCL for CUDA ones
    where torch has CUDA. A process that waits timeout_s for the others fails instead of hanging."""
    if world.active and not dist.is_initialized():
        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() else "gloo"
        timeout = datetime.timedelta(seconds=timeout_s)
        dist.init_process_group(backend, store=_store(world, timeout), rank=world.rank, world_size=world.size,
                                timeout=timeout)


def _store(world: World, timeout: datetime.timedelta) -> dist.Store:
    """The key-value store the processes meet in (torchrun's MASTER_ADDR:MASTER_PORT, hosted by torchrun's
    agent or by rank 0, as torch's env:// does), its keys prefixed by torchrun's restart count: after a restart,
    gloo otherwise read the first attempt's addresses from the agent's store and failed to connect (measured
    with torch 2.13, --max-restarts 1)."""
    try:
        host, port = os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"])
    except (KeyError, ValueError):
        raise GankitError("MASTER_ADDR and MASTER_PORT must say where the processes meet (torchrun sets them); "
                          "launch with torchrun.") from None
    agent = os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"
    store = dist.TCPStore(host, port, world.size, is_master=world.main and not agent, timeout=timeout,
                          multi_tenant=not agent)
    return dist.PrefixStore(f"gankit/attempt_{os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')}", store)


def stop() -> None:
    """Leave the process group, if one was joined."""
    if dist.is_initialized():
        dist.destroy_process_group()


@_collective
@torch.no_grad()
def average_gradients(params: list[torch.nn.Parameter], world: World) -> None:
    """Replace each parameter's gradient by its mean over the processes, in one all-reduce: the gradients
    flattened (zeros where a rank has none) followed by one "had a gradient" flag per parameter."""
    if not world.active or not params:
        return
    device = params[0].device
    flat = torch.cat([p.grad.reshape(-1).float() if p.grad is not None else
                      torch.zeros(p.numel(), device=device) for p in params] +
                     [torch.tensor([p.grad is not None for p in params], dtype=torch.float32, device=device)])
    dist.all_reduce(flat)
    # Where this process has every gradient, each flag is positive without reading it: the device is only
    # waited for in a step that leaves some parameter without a gradient here.
    mine = [p.grad is not None for p in params]
    had = mine if all(mine) else flat[-len(params):].tolist()
    offset = 0
    for p, flag in zip(params, had):
        n = p.numel()
        if flag > 0:
            p.grad = flat[offset:offset + n].view_as(p).to(p.dtype).div_(world.size)
        offset += n


@_collective
@torch.no_grad()
def broadcast_module(module: torch.nn.Module, world: World) -> None:
    """Rank 0's parameters and buffers on every rank."""
    if world.active:
        for tensor in list(module.parameters()) + list(module.buffers()):
            dist.broadcast(tensor.data, 0)


@_collective
def mean_over_ranks(values: torch.Tensor, world: World) -> torch.Tensor:
    """A tensor of statistics averaged over the processes."""
    if not world.active:
        return values
    values = values.to("cpu", torch.float32)  # read on the host next anyway
    dist.all_reduce(values)
    return values / world.size


@_collective
def sum_over_ranks(value: torch.Tensor, world: World) -> torch.Tensor:
    """A tensor summed over the processes, where it is (no read on the host); value itself in one process."""
    if not world.active:
        return value
    value = value.clone()
    dist.all_reduce(value)
    return value


@_collective
def agree(flag: bool, world: World) -> bool:
    """Whether any process says yes (every process gets the same answer)."""
    if not world.active:
        return flag
    value = torch.tensor([float(flag)])
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item() > 0)


@_collective
def share_text(text: str | None, world: World) -> str:
    """Rank 0's string on every rank (a UTF-8 byte tensor, never a pickle)."""
    if not world.active:
        return text or ""
    data = torch.tensor(list((text or "").encode()) if world.main else [], dtype=torch.uint8)
    length = torch.tensor([len(data)], dtype=torch.int64)
    dist.broadcast(length, 0)
    if not world.main:
        data = torch.empty(int(length.item()), dtype=torch.uint8)
    dist.broadcast(data, 0)
    return bytes(data.cpu().tolist()).decode()


@_collective
def gather_tensor(tensor: torch.Tensor, world: World) -> list[torch.Tensor]:
    """Every rank's tensor of the same shape and dtype, in rank order (on every rank)."""
    if not world.active:
        return [tensor]
    parts = [torch.empty_like(tensor) for _ in range(world.size)]
    dist.all_gather(parts, tensor.contiguous())
    return parts


@_collective
def barrier(world: World) -> None:
    """Wait for every process."""
    if world.active:
        dist.barrier()
