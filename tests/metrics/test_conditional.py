import json
from pathlib import Path

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.errors import GankitError
from gankit.metrics.conditional import check_labels, gan_test_accuracy, intra_class_fid
from gankit.metrics.features import extract_features, load_extractor
from gankit.metrics.features.classifier import weight_paths
from gankit.metrics.features.training import accuracy
from gankit.metrics.frechet import fid_from_features

needs_fashion = pytest.mark.skipif(not Path(FASHION_MNIST_DIR).is_dir(), reason="Fashion-MNIST is not installed")


def scored_test_split(name: str):
    """Features, class probabilities and true labels of the test split of `name`, with the domain classifier."""
    test = load_dataset(DataConfig(name=name, split="test"))
    features, probs = extract_features(test.images, load_extractor(name))
    return features, probs, test.labels


@pytest.fixture(scope="module")
def digits_test():
    return scored_test_split("digits")


@pytest.fixture(scope="module")
def fashion_test():
    return scored_test_split("fashion_mnist")


def shuffled(labels: torch.Tensor, seed: int = 0) -> torch.Tensor:
    return labels[torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))]


def test_intra_fid_is_the_fid_of_each_class_and_their_mean():
    g = torch.Generator().manual_seed(0)
    real_y, fake_y = torch.arange(3).repeat(40), torch.arange(3).repeat_interleave(30)
    real = torch.randn(120, 4, generator=g, dtype=torch.float64) + real_y[:, None]
    fake = torch.randn(90, 4, generator=g, dtype=torch.float64) * 1.5 + fake_y[:, None] * 2
    out = intra_class_fid(real, real_y, fake, fake_y, 3)
    expected = [fid_from_features(real[real_y == c], fake[fake_y == c]) for c in range(3)]
    assert out["intra_fid_per_class"] == pytest.approx(expected, rel=1e-12)
    assert out["intra_fid"] == pytest.approx(sum(expected) / 3, rel=1e-12)
    assert out["intra_fid_classes"] == 3 and out["intra_fid_skipped"] == []
    assert len(set(expected)) == 3 and min(expected) > 0


def test_classes_with_too_few_samples_are_named_not_nan():
    real_y, fake_y = torch.tensor([0, 0, 0, 1, 1, 1, 2, 2]), torch.tensor([0, 0, 0, 1, 2, 2, 2, 2])
    real, fake = torch.randn(8, 3), torch.randn(8, 3)
    out = intra_class_fid(real, real_y, fake, fake_y, 4)
    assert out["intra_fid_per_class"][1] is None and out["intra_fid_per_class"][3] is None
    assert out["intra_fid_classes"] == 2
    assert out["intra_fid"] == pytest.approx((out["intra_fid_per_class"][0] + out["intra_fid_per_class"][2]) / 2)
    assert out["intra_fid_skipped"] == ["class 1: 3 real and 1 generated images, needs at least 2 of each",
                                        "class 3: 0 real and 0 generated images, needs at least 2 of each"]
    none = intra_class_fid(real, real_y, fake, fake_y, 4, min_samples=5)
    assert none["intra_fid"] is None and len(none["intra_fid_skipped"]) == 4


def test_intra_fid_of_the_digits_test_set_against_itself_is_zero_and_shuffled_labels_raise_it(digits_test):
    features, _, labels = digits_test
    same = intra_class_fid(features, labels, features, labels, 10)
    assert same["intra_fid_classes"] == 10
    assert same["intra_fid"] < 1e-6
    mixed = intra_class_fid(features, labels, features, shuffled(labels), 10)
    assert mixed["intra_fid"] > 1.0
    assert all(v > 1.0 for v in mixed["intra_fid_per_class"])


@needs_fashion
def test_intra_fid_of_two_halves_of_each_fashion_class_is_small_beside_shuffled_labels(fashion_test):
    features, _, labels = fashion_test
    half = torch.zeros(len(labels), dtype=torch.bool)
    for c in range(10):
        idx = (labels == c).nonzero()[:, 0]
        half[idx[: len(idx) // 2]] = True
    a, b = features[half], features[~half]
    halves = intra_class_fid(a, labels[half], b, labels[~half], 10)
    mixed = intra_class_fid(a, labels[half], b, shuffled(labels[~half]), 10)
    assert halves["intra_fid_classes"] == 10
    assert mixed["intra_fid"] > 20 * halves["intra_fid"]
    assert max(halves["intra_fid_per_class"]) < min(mixed["intra_fid_per_class"])


def test_gan_test_per_class_on_hand_made_probabilities():
    probs = torch.tensor([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0], [0.1, 0.9, 0.0]])
    out = gan_test_accuracy(probs, torch.tensor([0, 1, 1, 1]), 3)
    assert out["gan_test"] == pytest.approx(0.75)
    assert out["gan_test_per_class"][:2] == pytest.approx([1.0, 2 / 3])
    assert out["gan_test_per_class"][2] is None and out["gan_test_skipped"] == ["class 2: no generated images"]


@pytest.mark.parametrize("name", ["digits", pytest.param("fashion_mnist", marks=needs_fashion)])
def test_gan_test_on_real_test_images_is_the_classifiers_test_accuracy(name, request):
    features, probs, labels = request.getfixturevalue({"digits": "digits_test", "fashion_mnist": "fashion_test"}[name])
    out = gan_test_accuracy(probs, labels, 10)
    recorded = json.loads(weight_paths(name)[1].read_text())["test_accuracy"]
    test = load_dataset(DataConfig(name=name, split="test"))
    assert out["gan_test"] == pytest.approx(accuracy(load_extractor(name), test.images, test.labels), abs=1e-12)
    assert out["gan_test"] == pytest.approx(recorded, abs=1e-6)
    per_class = torch.tensor(out["gan_test_per_class"], dtype=torch.float64)
    counts = torch.bincount(labels, minlength=10).double()
    assert (per_class * counts).sum() / counts.sum() == pytest.approx(out["gan_test"])
    chance = gan_test_accuracy(probs, shuffled(labels), 10)["gan_test"]
    assert abs(chance - 0.1) < (0.06 if name == "digits" else 0.02)


@pytest.mark.parametrize("labels,match", [
    (None, "have no labels"),
    (torch.tensor([0, 1, 2]), r"shape \(4,\)"),
    (torch.tensor([0.0, 1.0, 2.0, 3.0]), "integer label"),
    (torch.tensor([0, 1, 2, 10]), "outside the 10 classes 0..9"),
    (torch.tensor([-1, 1, 2, 3]), "outside the 10 classes"),
])
def test_bad_labels_are_one_clear_error(labels, match):
    with pytest.raises(GankitError, match=match):
        check_labels(labels, 4, 10, "generated images")
    with pytest.raises(GankitError, match=match):
        gan_test_accuracy(torch.full((4, 10), 0.1), labels, 10)


def test_an_unlabelled_dataset_or_foreign_probabilities_are_refused():
    with pytest.raises(GankitError, match="labelled dataset"):
        check_labels(torch.zeros(4, dtype=torch.int64), 4, 0, "real images")
    with pytest.raises(GankitError, match="domain classifier"):
        gan_test_accuracy(torch.full((4, 1008), 1 / 1008), torch.zeros(4, dtype=torch.int64), 10)
