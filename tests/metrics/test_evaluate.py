import json

import pytest
import torch

from gankit.config import DataConfig
from gankit.data import ImageDataset, load_dataset
from gankit.errors import GankitError
from gankit.metrics import evaluate
from gankit.metrics.features import load_extractor
from gankit.metrics.features.classifier import weight_paths


def test_reference_features_are_cached_by_content_and_extractor(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    extractor = load_extractor("digits")
    images = torch.randint(0, 256, (20, 1, 8, 8), dtype=torch.uint8)
    first = evaluate.reference_features(images, "digits", extractor)
    assert len(list(tmp_path.glob("features-digits-*.safetensors"))) == 1

    def fail(*args, **kwargs):
        raise AssertionError("features were recomputed instead of read from the cache")

    monkeypatch.setattr(evaluate, "extract_features", fail)
    second = evaluate.reference_features(images, "digits", extractor)
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    # Other content is another cache entry.
    monkeypatch.undo()
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    evaluate.reference_features(255 - images, "digits", extractor)
    assert len(list(tmp_path.glob("features-digits-*.safetensors"))) == 2


def test_a_damaged_cache_entry_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    extractor = load_extractor("digits")
    images = torch.zeros(4, 1, 8, 8, dtype=torch.uint8)
    good = evaluate.reference_features(images, "digits", extractor)
    (entry,) = tmp_path.glob("features-*.safetensors")
    entry.write_bytes(b"garbage")
    assert torch.equal(evaluate.reference_features(images, "digits", extractor)[0], good[0])


def test_parse_metrics_defaults_and_checks():
    assert evaluate.parse_metrics(None, "image") == ["fid", "kid", "is", "pr", "dc"]
    assert evaluate.parse_metrics(None, "toy2d") == ["modes"]
    assert evaluate.parse_metrics("fid, parzen", "image") == ["fid", "parzen"]
    with pytest.raises(GankitError, match="choose from"):
        evaluate.parse_metrics("fdi", "image")


def test_conditional_metrics_need_labels_to_be_parsed_or_scored():
    assert evaluate.parse_metrics("fid,intra_fid,gan_test,cas", "image", conditional=True) == \
        ["fid", "intra_fid", "gan_test", "cas"]
    with pytest.raises(GankitError, match="needs the labels the samples were generated for"):
        evaluate.parse_metrics("fid,cas", "image")
    with pytest.raises(GankitError, match="does not apply to toy2d"):
        evaluate.parse_metrics("intra_fid", "toy2d", conditional=True)
    with pytest.raises(GankitError, match="call evaluate_conditional"):
        evaluate.evaluate_images(torch.zeros(4, 1, 8, 8), DataConfig(name="digits"), ["gan_test"])


def test_evaluate_conditional_scores_the_test_split_against_itself(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    cfg = DataConfig(name="digits")
    test = load_dataset(DataConfig(name="digits", split="test"))
    names = ["fid", "intra_fid", "gan_test"]
    out = evaluate.evaluate_conditional(test.as_float(), test.labels, cfg, names)
    assert out["extractor"] == "digits" and out["n_fake"] == out["n_real"] == len(test)
    assert out["fid"] < 1e-6 and out["intra_fid"] < 1e-6 and out["intra_fid_classes"] == 10
    recorded = json.loads(weight_paths("digits")[1].read_text())["test_accuracy"]
    assert out["gan_test"] == pytest.approx(recorded, abs=1e-6)
    unconditional = evaluate.evaluate_images(test.as_float(), cfg, ["fid"])
    assert unconditional == {k: out[k] for k in unconditional}
    shuffled = test.labels.flip(0)
    worse = evaluate.evaluate_conditional(test.as_float(), shuffled, cfg, names)
    assert worse["fid"] == out["fid"] and worse["intra_fid"] > 1.0 and worse["gan_test"] < 0.3


def test_evaluate_conditional_cas_of_the_training_images_is_the_real_baseline(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path))
    train = load_dataset(DataConfig(name="digits", split="train"))
    out = evaluate.evaluate_conditional(train.as_float(), train.labels, DataConfig(name="digits"), ["cas"],
                                        cas_epochs=4)
    assert out["cas"] == out["cas_real_accuracy"] > 0.5 and out["cas_steps"] == 48
    assert len(list(tmp_path.glob("cas-real-*.safetensors"))) == 1


def test_evaluate_conditional_refuses_bad_labels_and_unlabelled_data(monkeypatch):
    cfg, fake = DataConfig(name="digits"), torch.zeros(4, 1, 8, 8)
    with pytest.raises(GankitError, match="generated images have no labels"):
        evaluate.evaluate_conditional(fake, None, cfg, ["gan_test"])
    with pytest.raises(GankitError, match="outside the 10 classes"):
        evaluate.evaluate_conditional(fake, torch.tensor([0, 1, 2, 12]), cfg, ["gan_test"])
    unlabelled = ImageDataset(torch.zeros(4, 1, 8, 8, dtype=torch.uint8), name="folder")
    monkeypatch.setattr(evaluate, "load_dataset", lambda cfg: unlabelled)
    with pytest.raises(GankitError, match="conditional metrics need class labels, and digits has none"):
        evaluate.evaluate_conditional(fake, torch.zeros(4, dtype=torch.int64), cfg, ["intra_fid"])
