"""The step context `t`: the only way a family's step touches devices, precision, randomness and weight updates."""

from __future__ import annotations

import contextlib
import hashlib

import torch
from torch import nn

from gankit.augment import Augmentation
from gankit.train.distributed import SINGLE, World, average_gradients, gather_tensor, sum_over_ranks
from gankit.train.schedule import apply_schedule

# The two streams gankit 0.1 seeded as seed * 3 + 1 and seed * 3 + 2 keep those seeds, so runs (and the
# reproductions' numbers) stay what they were.
LEGACY_STREAMS = {"data": 1, "noise": 2}
AUTOCAST = {"bf16": torch.bfloat16, "fp16": torch.float16}


def stream_seed(seed: int, stream: str) -> int:
    """The seed of one random stream: a function of (run seed, stream name), the same in every process."""
    if stream in LEGACY_STREAMS:
        return seed * 3 + LEGACY_STREAMS[stream]
    digest = hashlib.sha256(f"{seed}/0/{stream}".encode()).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


class StepContext:
    """Devices, precision, random streams and the optimizers, as one object handed to train_step.

    Under torchrun (`world` of several processes) the streams are the run's, the same in every process: a
    per-example draw is made for the whole global batch and each process keeps its share (`draw`, `batch`),
    and `update` averages the gradients over the processes before the optimizer steps.
    """

    def __init__(self, seed: int, device: torch.device, precision: str,
                 optimizers: dict[str, torch.optim.Optimizer], schedules: dict, world: World = SINGLE,
                 augmentation: Augmentation | None = None):
        self.seed, self.device, self.precision, self.world = seed, device, precision, world
        self.augmentation = augmentation
        # ADA's probability p and its last r_t, on the device (changed in place, so a CUDA graph keeps them).
        self.augment_p = torch.zeros((), device=device)
        self.augment_rt = torch.zeros((), device=device)
        self.optimizers, self.schedules = optimizers, schedules
        self.step = 0  # completed iterations; schedules read it
        self.examples = 0  # data examples drawn by t.batch over every process (the loop logs it as examples_seen)
        self.generators: dict[str, torch.Generator] = {}
        # fp16 needs loss scaling; bf16 has fp32's range and does not.
        self.scalers = ({name: torch.amp.GradScaler(device.type) for name in optimizers}
                        if precision == "fp16" else {})

    # Randomness -----------------------------------------------------------------
    def rng(self, stream: str, device: torch.device | None = None) -> torch.Generator:
        """The generator of a named stream, on the training device (or `device`); saved in checkpoints. Under
        several processes, draw per-example randomness through `draw`, which keeps this process's share."""
        gen = self.generators.get(stream)
        if gen is None:
            gen = torch.Generator(device=device or self.device)
            gen.manual_seed(stream_seed(self.seed, stream))
            self.generators[stream] = gen
        return gen

    def share(self, n: int) -> int:
        """This process's number of examples of a global batch of n (n itself in one process)."""
        return n // self.world.size

    def draw(self, stream: str, fn, n: int, dim: int = 0) -> torch.Tensor:
        """Randomness for this process's n examples: fn(m, generator) draws m examples' worth along `dim` from
        the stream; under N processes it draws for N * n and keeps this process's n (rank r: r*n..(r+1)*n),
        so the processes together draw exactly what one process would for the global batch."""
        gen = self.rng(stream)
        if not self.world.active:
            return fn(n, gen)
        return self._mine(fn(n * self.world.size, gen), n, dim)

    def _mine(self, x: torch.Tensor, n: int, dim: int = 0) -> torch.Tensor:
        """This process's n of a draw made for every process: rank r's r*n..(r+1)*n along dim."""
        return x.narrow(dim, self.world.rank * n, n)

    def gather(self, x: torch.Tensor) -> torch.Tensor:
        """Every process's x concatenated along dim 0 in rank order (x itself in one process); no gradient."""
        return torch.cat(gather_tensor(x.detach(), self.world)) if self.world.active else x

    def batch(self, data, batch_size: int):
        """This process's share of a random global batch of `batch_size` from `data` (drawn where the data are
        held), on the training device."""
        x, y = data.sample(batch_size, self.rng("data", data.device))
        self.examples += batch_size
        if self.world.active:
            n = self.share(batch_size)
            x, y = self._mine(x, n), (self._mine(y, n) if y is not None else None)
        if x.device != self.device:
            x = x.to(self.device, non_blocking=True)
            y = y.to(self.device, non_blocking=True) if y is not None else None
        return x, y

    # Augmentation ---------------------------------------------------------------
    def augment(self, x: torch.Tensor) -> torch.Tensor:
        """Images D is about to see, real or fake, through the run's augmentation (x itself without one); the
        transforms are differentiable, so G's gradients pass through them. Per-image randomness from the
        "augment" stream, drawn for the global batch."""
        aug = self.augmentation
        if aug is None:
            return x
        u = self.draw("augment", lambda m, g: torch.rand(m, aug.uniforms, generator=g, device=self.device), len(x))
        return aug.apply(x, u, self.augment_p)

    def judged_real(self, logits: torch.Tensor) -> None:
        """D's logits (B,) on augmented real images: under ADA, p moves by the mean sign over every process's."""
        aug = self.augmentation
        if aug is None or not aug.adaptive:
            return
        images = len(logits) * self.world.size
        rt = sum_over_ranks(torch.sign(logits.detach().float()).sum(), self.world) / images
        aug.adjust(self.augment_p, rt, images)
        self.augment_rt.copy_(rt)

    def augment_stats(self) -> dict:
        """ADA's p and r_t for the log (nothing for other augmentations)."""
        if self.augmentation is None or not self.augmentation.adaptive:
            return {}
        return {"augment_p": self.augment_p.clone(), "augment_rt": self.augment_rt.clone()}

    # Precision ------------------------------------------------------------------
    def autocast(self):
        """Autocast to the run's precision (a no-op for fp32)."""
        if self.precision == "fp32":
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=AUTOCAST[self.precision])

    def loss_scale(self, name: str):
        """The fp16 gradient scaler's `scale` for the update `name` (for penalties' inner gradients), else None."""
        scaler = self.scalers.get(name)
        return scaler.scale if scaler is not None else None

    # Updates --------------------------------------------------------------------
    @contextlib.contextmanager
    def frozen(self, *nets: nn.Module):
        """Networks that need no gradients inside the block (e.g. D during G's update)."""
        params = [p for net in nets for p in net.parameters()]
        before = [p.requires_grad for p in params]
        for p in params:
            p.requires_grad_(False)
        try:
            yield
        finally:
            for p, flag in zip(params, before):
                p.requires_grad_(flag)

    def update(self, name: str, loss: torch.Tensor, max_norm: float | None = None) -> None:
        """The one place weights change: schedule, zero grads, backward (scaled under fp16), the gradients'
        norm clipped to max_norm when given, optimizer step."""
        opt = self.optimizers[name]
        apply_schedule(opt, self.schedules[name], self.step)
        opt.zero_grad(set_to_none=True)
        scaler = self.scalers.get(name)
        if scaler is None:
            loss.backward()
            self._average(opt)
            self._clip(opt, max_norm)
            opt.step()
            return
        scaler.scale(loss).backward()
        self._average(opt)  # every process holds the same scaled gradients, so skips the same steps
        if max_norm is not None:
            scaler.unscale_(opt)  # clip the true gradients, not the scaled ones
        self._clip(opt, max_norm)
        scaler.step(opt)
        scaler.update()

    def _average(self, opt: torch.optim.Optimizer) -> None:
        if self.world.active:
            average_gradients([p for group in opt.param_groups for p in group["params"]], self.world)

    @staticmethod
    def _clip(opt: torch.optim.Optimizer, max_norm: float | None) -> None:
        if max_norm is not None:
            params = [p for group in opt.param_groups for p in group["params"] if p.grad is not None]
            torch.nn.utils.clip_grad_norm_(params, max_norm)

    # Checkpoints ----------------------------------------------------------------
    def state(self, tensors: dict) -> dict:
        """Put every RNG state into `tensors`; return the JSON part (scalers)."""
        tensors["rng.torch"] = torch.get_rng_state()
        tensors["augment.p"], tensors["augment.rt"] = self.augment_p.cpu().clone(), self.augment_rt.cpu().clone()
        if self.device.type == "cuda":
            tensors["rng.cuda"] = torch.cuda.get_rng_state(self.device)
        for stream, gen in self.generators.items():
            tensors[f"rng.{stream}"] = gen.get_state()
        return {"scalers": {name: s.state_dict() for name, s in self.scalers.items()},
                "streams": {stream: str(gen.device) for stream, gen in self.generators.items()},
                "examples": self.examples}

    def restore(self, tensors: dict, meta: dict) -> None:
        """Set every RNG state and scaler from a checkpoint written by `state`."""
        torch.set_rng_state(tensors["rng.torch"])
        if "rng.cuda" in tensors and self.device.type == "cuda":
            torch.cuda.set_rng_state(tensors["rng.cuda"], self.device)
        for stream, where in meta.get("streams", {"data": "cpu", "noise": "cpu"}).items():
            device = torch.device(where)
            gen = self.rng(stream, device if device.type != "cuda" else self.device)
            gen.set_state(tensors[f"rng.{stream}"])
        self.examples = meta.get("examples", 0)
        for name, value in (("p", self.augment_p), ("rt", self.augment_rt)):
            if f"augment.{name}" in tensors:  # absent before gankit augmented
                value.copy_(tensors[f"augment.{name}"])
        for name, state in meta.get("scalers", {}).items():
            if name in self.scalers:
                self.scalers[name].load_state_dict(state)
