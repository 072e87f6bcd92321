import pytest
import torch

from gankit.config import DataConfig
from gankit.data import ImageDataset, load_dataset
from gankit.errors import GankitError
from gankit.metrics import cas as cas_module
from gankit.metrics.cas import classification_accuracy_score, default_shift

BUDGET = {"epochs": 2.0, "batch_size": 64}  # 48 steps on the 1,500 training digits: seconds, far above chance


@pytest.fixture(scope="module")
def digits():
    return load_dataset(DataConfig(name="digits", split="train")), load_dataset(DataConfig(name="digits", split="test"))


def test_real_training_images_as_generated_ones_score_as_the_real_classifier(digits, tmp_path):
    train, test = digits
    out = classification_accuracy_score(train.as_float(), train.labels, train, test, **BUDGET, cache_dir=tmp_path)
    assert out["cas"] == out["cas_real_accuracy"] and out["cas_gap"] == 0.0
    assert out["cas"] > 0.8 and out["cas_steps"] == 48
    counts = torch.bincount(test.labels, minlength=10).double()
    assert (torch.tensor(out["cas_per_class"]) * counts).sum() / counts.sum() == pytest.approx(out["cas"])


def test_shuffled_labels_score_near_chance(digits):
    train, test = digits
    wrong = train.labels[torch.randperm(len(train), generator=torch.Generator().manual_seed(0))]
    out = classification_accuracy_score(train.images, wrong, train, test, **BUDGET)
    assert out["cas"] < 0.25 < out["cas_real_accuracy"]
    assert out["cas_gap"] == pytest.approx(out["cas_real_accuracy"] - out["cas"])


def test_the_real_baseline_is_cached_by_data_and_settings(digits, tmp_path, monkeypatch):
    train, test = digits
    few = ImageDataset(train.images[:300], train.labels[:300], 10, "digits")
    first = classification_accuracy_score(few.images, few.labels, few, test, epochs=1, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("cas-real-*.safetensors"))) == 1
    trained = []
    real_train = cas_module.train_classifier
    monkeypatch.setattr(cas_module, "train_classifier", lambda *a, **k: trained.append(a) or real_train(*a, **k))
    again = classification_accuracy_score(few.images, few.labels, few, test, epochs=1, cache_dir=tmp_path)
    assert len(trained) == 1 and again == first  # only the generated-image classifier was trained
    classification_accuracy_score(few.images, few.labels, few, test, epochs=1, seed=1, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("cas-real-*.safetensors"))) == 2 and len(trained) == 3
    for entry in tmp_path.glob("cas-real-*.safetensors"):
        entry.write_bytes(b"garbage")
    damaged = classification_accuracy_score(few.images, few.labels, few, test, epochs=1, cache_dir=tmp_path)
    assert damaged == first and len(trained) == 5


def test_default_shift_follows_the_shipped_classifiers():
    assert default_shift(28) == 2 and default_shift(8) == 1


def test_bad_inputs_are_one_clear_error(digits):
    train, test = digits
    unlabelled = ImageDataset(train.images, None, 0, "folder")
    with pytest.raises(GankitError, match="folder has none"):
        classification_accuracy_score(train.images, train.labels, unlabelled, test)
    with pytest.raises(GankitError, match="outside the 10 classes"):
        classification_accuracy_score(train.images, train.labels + 1, train, test)
    with pytest.raises(GankitError, match="no labels"):
        classification_accuracy_score(train.images, None, train, test)
    with pytest.raises(GankitError, match="generate at the dataset's resolution"):
        classification_accuracy_score(torch.zeros(4, 1, 16, 16), torch.zeros(4, dtype=torch.int64), train, test)
