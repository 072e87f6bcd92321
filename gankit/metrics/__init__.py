"""Metrics: one file per metric, math kept apart from feature extraction."""

from gankit.metrics.modes import mode_coverage

__all__ = ["mode_coverage"]
