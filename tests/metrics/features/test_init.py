import pytest
import torch

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.metrics.features import (EXTRACTORS, FIDInceptionV3, default_extractor, extract_features,
                                     load_classifier, load_extractor)


@pytest.fixture(scope="module")
def digits():
    return load_dataset(DataConfig(name="digits", split="test")).images  # uint8 (297, 1, 8, 8)


@pytest.fixture(scope="module")
def digits_model():
    return load_classifier("digits")


def test_extractor_names():
    assert set(EXTRACTORS) == {"fashion_mnist", "digits", "inception"}
    with pytest.raises(GankitError, match="unknown feature extractor"):
        load_extractor("vgg")


@pytest.mark.parametrize("name,shape,expected", [
    ("fashion_mnist", (1, 28, 28), "fashion_mnist"),
    ("mnist", (1, 28, 28), "fashion_mnist"),
    ("digits", (1, 8, 8), "digits"),
    ("digits", (1, 16, 16), "inception"),
    ("fashion_mnist", (3, 28, 28), "inception"),
    ("cifar10", (3, 32, 32), "inception"),
])
def test_default_extractor(name, shape, expected):
    assert default_extractor(name, shape) == expected


def test_shapes_and_probabilities(digits, digits_model):
    features, probs = extract_features(digits, digits_model)
    assert features.shape == (len(digits), 128) and probs.shape == (len(digits), 10)
    assert features.dtype == probs.dtype == torch.float32
    assert torch.allclose(probs.sum(1), torch.ones(len(digits)), atol=1e-5)


def test_batching_gives_the_same_features_as_one_batch(digits, digits_model):
    one_f, one_p = extract_features(digits, digits_model, batch_size=1000)
    many_f, many_p = extract_features(digits, digits_model, batch_size=7)
    assert torch.allclose(one_f, many_f, atol=1e-5) and torch.allclose(one_p, many_p, atol=1e-6)


def test_uint8_input_equals_float_input(digits, digits_model):
    as_float = digits.float() / 127.5 - 1.0
    u8_f, u8_p = extract_features(digits, digits_model)
    fl_f, fl_p = extract_features(as_float, digits_model)
    assert torch.equal(u8_f, fl_f) and torch.equal(u8_p, fl_p)


def test_extractor_given_by_name(digits, digits_model):
    by_name, _ = extract_features(digits[:10], "digits")
    assert torch.equal(by_name, extract_features(digits[:10], digits_model)[0])


def test_mismatched_resolution_is_an_error_not_a_resize(digits_model):
    with pytest.raises(GankitError, match="'fashion_mnist'"):
        extract_features(torch.zeros(2, 1, 28, 28), digits_model)
    with pytest.raises(GankitError, match="'inception'"):
        extract_features(torch.zeros(2, 3, 8, 8, dtype=torch.uint8), digits_model)


def test_bad_inputs(digits_model):
    with pytest.raises(GankitError, match=r"\(N, C, H, W\)"):
        extract_features(torch.zeros(2, 8, 8), digits_model)
    with pytest.raises(GankitError, match="uint8 or float"):
        extract_features(torch.zeros(2, 1, 8, 8, dtype=torch.int64), digits_model)
    with pytest.raises(GankitError, match="no images"):
        extract_features(torch.zeros(0, 1, 8, 8), digits_model)


def test_inception_extraction_with_random_weights():
    torch.manual_seed(0)
    features, probs = extract_features(torch.rand(2, 1, 28, 28) * 2 - 1, FIDInceptionV3().eval())
    assert features.shape == (2, 2048) and probs.shape == (2, 1008)
    assert torch.isfinite(features).all()
