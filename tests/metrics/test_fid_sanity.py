"""FID with the shipped domain classifiers behaves as a distance between image sets should."""

import pytest
import torch
import torch.nn.functional as F

from gankit.config import DataConfig
from gankit.data import FASHION_MNIST_DIR, load_dataset
from gankit.metrics import fid_from_features
from gankit.metrics.features import extract_features, load_extractor

N = 2000


@pytest.fixture(scope="module")
def fashion():
    import os
    if not os.path.isdir(FASHION_MNIST_DIR):
        pytest.skip("Fashion-MNIST is not installed")
    train = load_dataset(DataConfig(name="fashion_mnist", split="train")).as_float()[:N]
    test = load_dataset(DataConfig(name="fashion_mnist", split="test")).as_float()[:N]
    return train, test, load_extractor("fashion_mnist")


def fid(a, b, extractor):
    return fid_from_features(extract_features(a, extractor)[0], extract_features(b, extractor)[0])


def blur(x, k):
    kernel = torch.ones(1, 1, k, k) / (k * k)
    return F.conv2d(F.pad(x, (k // 2,) * 4, mode="replicate"), kernel)


def test_train_vs_test_is_small_and_real_vs_noise_is_large(fashion):
    train, test, extractor = fashion
    noise = torch.rand(N, 1, 28, 28, generator=torch.Generator().manual_seed(0)) * 2 - 1
    near, far = fid(train, test, extractor), fid(noise, test, extractor)
    assert near < 0.02 * far, (near, far)


def test_fid_grows_monotonically_with_noise_and_blur(fashion):
    train, test, extractor = fashion
    g = torch.Generator().manual_seed(1)
    noisy = [fid((train + s * torch.randn(train.shape, generator=g)).clamp(-1, 1), test, extractor)
             for s in (0.0, 0.1, 0.2, 0.4, 0.8)]
    blurred = [fid(blur(train, k), test, extractor) for k in (1, 3, 5, 7)]
    assert noisy == sorted(noisy) and noisy[-1] > 5 * noisy[0], noisy
    assert blurred == sorted(blurred) and blurred[-1] > 5 * blurred[0], blurred
