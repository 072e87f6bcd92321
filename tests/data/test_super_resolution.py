"""Super-resolution data: PIL's bicubic degradation, fashion_sr and a user's sr_folder in both layouts."""

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.config_sections import DataConfig
from gankit.data import load_dataset
from gankit.data.super_resolution import SuperResolutionDataset, bicubic_resize, downscale, upscale
from gankit.errors import GankitError


def _random_images(n=3, c=1, size=16, seed=0):
    return torch.randint(0, 256, (n, c, size, size), dtype=torch.uint8, generator=torch.Generator().manual_seed(seed))


def test_downscale_is_pils_bicubic_image_by_image_and_channel_by_channel():
    images = _random_images(c=3)
    low = downscale(images, 4)
    assert low.shape == (3, 3, 4, 4) and low.dtype == torch.uint8
    for i in range(3):
        rgb = Image.fromarray(images[i].permute(1, 2, 0).numpy(), "RGB").resize((4, 4), Image.Resampling.BICUBIC)
        assert np.array_equal(low[i].permute(1, 2, 0).numpy(), np.asarray(rgb))


def test_pil_shrinks_with_its_filter_widened_so_a_fine_checkerboard_averages_out():
    board = (torch.arange(16)[:, None] + torch.arange(16)[None, :]) % 2 * 255
    low = downscale(board.to(torch.uint8)[None, None], 4).float()
    assert (low - 127.5).abs().max() < 3  # antialiased: the mean grey, not a sample of black or white


def test_upscale_is_pils_bicubic_enlargement():
    images = _random_images(size=4)
    up = upscale(images, 4)
    expected = np.asarray(Image.fromarray(images[1, 0].numpy(), "L").resize((16, 16), Image.Resampling.BICUBIC))
    assert up.shape == (3, 1, 16, 16) and np.array_equal(up[1, 0].numpy(), expected)


def test_a_size_that_the_scale_does_not_divide_is_one_sentence():
    with pytest.raises(GankitError, match="not a multiple of data.scale=4"):
        downscale(_random_images(size=18), 4)


def test_bicubic_resize_refuses_floats():
    with pytest.raises(ValueError):
        bicubic_resize(torch.zeros(1, 1, 4, 4), (2, 2))


@pytest.mark.parametrize("scale,low", [(2, 14), (4, 7)])
def test_fashion_sr_pairs_garments_with_their_bicubic_inputs(scale, low):
    data = load_dataset(DataConfig(name="fashion_sr", scale=scale, limit=20))
    assert isinstance(data, SuperResolutionDataset) and len(data) == 20
    assert data.shape == (1, low, low) and data.shape_b == (1, 28, 28) and data.scale == scale
    assert torch.equal(data.a, downscale(data.b, scale))
    assert data.labels.shape == (20,) and data.num_classes == 10
    x, y = data.sample(5, torch.Generator().manual_seed(0))
    assert x.shape == (5, 1, low, low) and y.shape == (5, 1, 28, 28) and x.min() >= -1 and y.max() <= 1


def test_fashion_sr_test_split_is_the_test_images():
    train = load_dataset(DataConfig(name="fashion_sr", limit=5))
    test = load_dataset(DataConfig(name="fashion_sr", split="test", limit=5))
    assert not torch.equal(train.b, test.b)


def _write(folder, name, array):
    folder.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(folder / name)


def _hr_images(root, split, n=3, size=16):
    for i in range(n):
        _write(root / split, f"{i}.png", _random_images(1, 3, size, seed=i)[0].permute(1, 2, 0).numpy())


def test_sr_folder_of_high_resolution_images_makes_its_inputs(tmp_path):
    _hr_images(tmp_path, "train")
    _hr_images(tmp_path, "test", n=2)
    data = load_dataset(DataConfig(name="sr_folder", path=str(tmp_path), scale=2))
    assert data.shape == (3, 8, 8) and data.shape_b == (3, 16, 16) and len(data) == 3
    assert torch.equal(data.a, downscale(data.b, 2))
    assert len(load_dataset(DataConfig(name="sr_folder", path=str(tmp_path), scale=2, split="test"))) == 2


def test_sr_folder_of_hr_and_lr_partners(tmp_path):
    for i in range(3):
        _write(tmp_path / "hr", f"{i}.png", np.full((16, 16), 10 * i, np.uint8))
        _write(tmp_path / "lr", f"{i}.jpg" if i else f"{i}.png", np.full((4, 4), 10 * i, np.uint8))
    data = load_dataset(DataConfig(name="sr_folder", path=str(tmp_path), scale=4))
    assert data.shape == (1, 4, 4) and data.shape_b == (1, 16, 16)
    assert [int(v) for v in data.b[:, 0, 0, 0]] == [0, 10, 20]


def test_sr_folder_without_a_test_split_says_so(tmp_path):
    _hr_images(tmp_path, ".")
    with pytest.raises(GankitError, match="no test split"):
        load_dataset(DataConfig(name="sr_folder", path=str(tmp_path), scale=2, split="test"))
