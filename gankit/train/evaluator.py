"""Metrics during training: one number every train.eval_every steps, and the best checkpoint.

What is scored is the family's own declaration (Family.evaluation): the metric named by train.eval_metric
(auto: the family's `best` for this data), computed by the family's evaluation on train.eval_n samples drawn
from fixed inputs, so successive values compare like with like and no training randomness is consumed.
"""

from __future__ import annotations

from gankit.errors import GankitError
from gankit.objectives import EvalRequest


class TrainingEvaluator:
    """Scores a session's sampling net with its family's evaluation, cheaply enough to run during training."""

    def __init__(self, s):
        cfg, evaluation, spec = s.cfg, s.family.evaluation, s.parts.spec
        self.metric = evaluation.best(cfg, spec) if cfg.train.eval_metric == "auto" else cfg.train.eval_metric
        groups = evaluation.groups(cfg, spec)
        group = next((g for g, metrics in groups.items() if self.metric in metrics), None)
        if group is None:
            offered = ", ".join(m for metrics in groups.values() for m in metrics)
            raise GankitError(f"train.eval_metric '{self.metric}' does not apply to this objective={cfg.objective} "
                              f"run on data.name={cfg.data.name}; use auto or one of {offered}.")
        self.lower_is_better = self.metric in evaluation.lower_is_better
        self.logged = groups[group]  # every metric of the group is logged; the one named steers the best
        request = EvalRequest(groups=(group,), n=cfg.train.eval_n, seed=cfg.train.seed * 3 + 4,
                              device=str(s.t.device))
        self.score = evaluation.prepare(s.parts, request)

    def __call__(self) -> dict:
        """The group's metrics of the sampling net's samples on the fixed inputs (eval mode, no training RNG
        consumed); the steering metric among them."""
        result = self.score()
        if result.get(self.metric) is None:
            raise GankitError(f"train.eval_metric '{self.metric}' could not be computed on this data (the "
                              "evaluation left it out); choose another metric.")
        return {name: float(result[name]) for name in self.logged if isinstance(result.get(name), (int, float))}

    def better(self, value: float, best: float | None) -> bool:
        """Whether value beats the best so far."""
        if best is None:
            return True
        return value < best if self.lower_is_better else value > best
