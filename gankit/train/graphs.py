"""Whole-step CUDA graphs: a family's step and the EMA updates recorded once, then replayed.

Small GAN networks are bound by kernel launches, not arithmetic: a DCGAN step at
batch 64 is hundreds of tiny kernels, and the host spends longer issuing them
than the GPU spends running them. Recording the whole iteration (both updates,
Adam, the random batch, the noise, the EMA) as one CUDA graph turns it into a
single launch (the measured speed-ups: docs/performance.md).

What makes a step replayable: the same kernels every step (no Python branch on
the step number, which a family declares with `graphable`; no learning-rate
schedule baked into a kernel's arguments, no
fp16 scaler that reads the device to skip steps), data already on the GPU,
optimizers with `capturable=True`, and every random stream registered with the
graph so each replay draws fresh numbers. `graph_refusal` names what stands in
the way; the first WARMUP_STEPS iterations run eagerly on a side stream
(optimizer state, cuDNN autotuning), then the graph is captured and replayed.
"""

from __future__ import annotations

import torch

from gankit.train.schedule import is_scheduled

# Eager iterations before the capture: they create the optimizers' state and let cuDNN choose its kernels.
WARMUP_STEPS = 3


def graph_refusal(cfg, device: torch.device, optimizer_cfgs: list, family) -> str | None:
    """Why this run's iteration cannot be one CUDA graph, as the end of a sentence; None when it can."""
    family_reason = family.graphable(cfg)
    if family_reason is not None:
        return f"objective={cfg.objective}: {family_reason}"
    if device.type != "cuda":
        return f"CUDA graphs need a CUDA device and train.device resolves to {device.type}"
    if cfg.train.precision == "fp16":
        return "fp16's gradient scaler reads the device to skip overflowing steps (use precision bf16 or fp32)"
    if any(is_scheduled(o) for o in optimizer_cfgs):
        return "a learning-rate or momentum schedule changes the optimizer's arguments every step"
    return None


class GraphedStep:
    """`step()` = one iteration; eager for the first WARMUP_STEPS calls, then replays of one captured graph.

    The statistics it returns are the graph's static outputs: valid until the next call (the loop's
    StatsLog adds them to its sums at once).
    """

    def __init__(self, run_once, data, t):
        self.run_once, self.data, self.t, self.device = run_once, data, t, t.device
        self.graph: torch.cuda.CUDAGraph | None = None
        self.stats: dict = {}
        self.eager_steps = 0
        self.examples = 0  # data examples one captured iteration draws (t.batch is not called on a replay)

    def __call__(self, data) -> dict:
        if data is not self.data:
            raise RuntimeError("a CUDA-graphed step replays on the dataset it was recorded with")
        if self.graph is not None:
            self.graph.replay()
            self.t.examples += self.examples
            return self.stats
        if self.eager_steps < WARMUP_STEPS:
            self.eager_steps += 1
            return self._on_side_stream(self.run_once)
        self._capture()
        self.graph.replay()
        self.t.examples += self.examples
        return self.stats

    def _on_side_stream(self, fn):
        # As the CUDA-graph notes prescribe: warm-up work off the default stream, then join it.
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):
            out = fn()
        torch.cuda.current_stream(self.device).wait_stream(side)
        return out

    def _capture(self) -> None:
        graph = torch.cuda.CUDAGraph()
        for gen in self.t.generators.values():  # every stream the warm-up steps drew from
            if gen.device.type == "cuda":
                graph.register_generator_state(gen)
        torch.cuda.synchronize(self.device)
        before = self.t.examples
        with torch.cuda.graph(graph):
            self.stats = self.run_once()
        self.examples, self.t.examples = self.t.examples - before, before  # the capture ran nothing
        self.graph = graph
