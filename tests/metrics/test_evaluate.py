import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import evaluate
from gankit.metrics.features import load_extractor


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
