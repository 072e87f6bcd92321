import numpy as np
import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import inception_score


def reference_score(preds, splits):
    """The numpy loop of Salimans et al.'s inception_score.py."""
    scores = []
    for k in range(splits):
        part = preds[k * len(preds) // splits:(k + 1) * len(preds) // splits]
        kl = part * (np.log(part) - np.log(part.mean(0, keepdims=True)))
        scores.append(np.exp(kl.sum(1).mean()))
    return np.mean(scores), np.std(scores)


def test_uniform_predictions_score_one():
    mean, std = inception_score(torch.full((100, 10), 0.1))
    assert mean == pytest.approx(1.0, abs=1e-12) and std == pytest.approx(0.0, abs=1e-12)


def test_confident_evenly_spread_predictions_score_the_class_count():
    classes, splits = 7, 5
    labels = torch.arange(classes * splits * 4) % classes  # every split holds each class equally
    mean, std = inception_score(torch.eye(classes)[labels], splits=splits)
    assert mean == pytest.approx(classes, rel=1e-12) and std == pytest.approx(0.0, abs=1e-9)


def test_splits_give_a_spread_matching_the_reference_code():
    probs = np.random.default_rng(0).dirichlet(np.full(10, 0.3), size=103)
    mean, std = inception_score(probs, splits=5)
    expected_mean, expected_std = reference_score(probs, 5)
    assert std > 0
    assert mean == pytest.approx(expected_mean, rel=1e-10) and std == pytest.approx(expected_std, rel=1e-8)


def test_logits_are_a_user_error():
    with pytest.raises(GankitError, match="softmax"):
        inception_score(torch.randn(20, 5))
