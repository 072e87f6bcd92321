"""Metrics: one file per metric, math kept apart from feature extraction."""

from gankit.metrics.conditional import gan_test_accuracy, intra_class_fid
from gankit.metrics.frechet import fid_from_features, frechet_distance, gaussian_stats
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kid import kid, mmd2_unbiased
from gankit.metrics.memorization import memorization_report, nearest_distances
from gankit.metrics.modes import mode_coverage
from gankit.metrics.parzen import parzen_log_likelihood, parzen_report, select_sigma
from gankit.metrics.prdc import density_coverage, knn_radii, precision_recall
from gankit.metrics.toy import kl_js_to_density, wasserstein1

__all__ = [
    "density_coverage", "fid_from_features", "frechet_distance", "gan_test_accuracy", "gaussian_stats",
    "inception_score", "intra_class_fid", "kid", "kl_js_to_density", "knn_radii", "memorization_report",
    "mmd2_unbiased", "mode_coverage", "nearest_distances", "parzen_log_likelihood", "parzen_report",
    "precision_recall", "select_sigma", "wasserstein1",
]
