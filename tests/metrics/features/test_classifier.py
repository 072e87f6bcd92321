import json
from pathlib import Path

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.errors import GankitError
from gankit.metrics.features import classifier
from gankit.metrics.features.classifier import DomainClassifier, load_classifier, weight_paths

MAX_BYTES = 1_000_000


def measured_accuracy(model: DomainClassifier, name: str) -> float:
    """Top-1 accuracy of the model on the whole test split of `name`."""
    test = load_dataset(DataConfig(name=name, split="test"))
    with torch.no_grad():
        pred = torch.cat([model(test.as_float(s, s + 1000)).argmax(1) for s in range(0, len(test), 1000)])
    return (pred == test.labels).float().mean().item()


@pytest.mark.parametrize("resolution", [28, 8])
def test_shapes(resolution):
    model = DomainClassifier(resolution).eval()
    x = torch.rand(4, 1, resolution, resolution) * 2 - 1
    assert model.features(x).shape == (4, 128)
    assert model(x).shape == (4, 10)
    f, p = model.features_and_probs(x)
    assert f.shape == (4, 128) and (f >= 0).all()  # after ReLU
    assert torch.allclose(p.sum(1), torch.ones(4))
    assert torch.allclose(p, torch.softmax(model(x), 1))


@pytest.mark.parametrize("name,resolution", [("fashion_mnist", 28), ("digits", 8)])
def test_load_classifier_returns_the_shipped_frozen_weights(name, resolution):
    weights, meta_path = weight_paths(name)
    assert weights.is_file() and weights.stat().st_size < MAX_BYTES
    meta = json.loads(meta_path.read_text())
    assert {"test_accuracy", "command", "seed", "epochs", "dataset", "arch"} <= set(meta)
    assert meta["command"].startswith("python scripts/train_classifier.py")
    model = load_classifier(name)
    assert not model.training and model.resolution == resolution
    assert not any(p.requires_grad for p in model.parameters())
    assert model.weights_id != "random"


def test_features_are_deterministic():
    model = load_classifier("digits")
    x = torch.rand(16, 1, 8, 8) * 2 - 1
    assert torch.equal(model.features(x), model.features(x))
    assert torch.equal(load_classifier("digits").features(x), model.features(x))


@pytest.mark.skipif(not Path(FASHION_MNIST_DIR).is_dir(), reason="Fashion-MNIST is not installed")
def test_fashion_mnist_accuracy_on_the_full_test_set():
    acc = measured_accuracy(load_classifier("fashion_mnist"), "fashion_mnist")
    assert acc >= 0.90
    recorded = json.loads(weight_paths("fashion_mnist")[1].read_text())["test_accuracy"]
    assert abs(recorded - acc) <= 0.002


def test_digits_accuracy_on_the_test_split():
    acc = measured_accuracy(load_classifier("digits"), "digits")
    assert acc >= 0.95
    recorded = json.loads(weight_paths("digits")[1].read_text())["test_accuracy"]
    assert abs(recorded - acc) <= 0.002


def test_mismatched_resolution_names_the_extractor_that_fits():
    with pytest.raises(GankitError, match="'digits'"):
        DomainClassifier(28).features(torch.zeros(1, 1, 8, 8))
    with pytest.raises(GankitError, match="'fashion_mnist'"):
        DomainClassifier(8)(torch.zeros(1, 1, 28, 28))
    with pytest.raises(GankitError, match="'inception'"):
        DomainClassifier(28).features(torch.zeros(1, 3, 32, 32))


def test_missing_weights_say_how_to_train_them(tmp_path, monkeypatch):
    monkeypatch.setattr(classifier, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(GankitError, match="scripts/train_classifier.py --dataset digits"):
        load_classifier("digits")


def test_unknown_classifier_name():
    with pytest.raises(GankitError, match="fashion_mnist, digits"):
        load_classifier("cifar10")
