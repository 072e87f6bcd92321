import numpy as np
import pytest
import torch
from PIL import Image

from gankit.viz.grid import make_grid, save_grid, to_uint8, upscale


@pytest.mark.parametrize("channels, tail", [(1, ()), (3, (3,))])
def test_shape_b10_nrow4(channels, tail):
    grid = make_grid(torch.zeros(10, channels, 8, 8), nrow=4, padding=2)
    # 3 rows x 4 columns of 8x8 cells, 2 px between and around them.
    assert grid.shape == (3 * 10 + 2, 4 * 10 + 2) + tail
    assert grid.dtype == np.uint8


def test_default_nrow_is_ceil_sqrt():
    grid = make_grid(torch.zeros(10, 1, 4, 4), padding=0)
    assert grid.shape == (3 * 4, 4 * 4)


def test_exact_pixel_values():
    images = torch.stack([torch.full((1, 2, 2), v) for v in (-1.0, 0.0, 1.0, 5.0)])
    grid = make_grid(images, nrow=4, padding=0)
    assert grid[:, 0:2].tolist() == [[0, 0], [0, 0]]
    assert (grid[:, 2:4] == 128).all()  # 127.5 rounds up
    assert (grid[:, 4:6] == 255).all()
    assert (grid[:, 6:8] == 255).all()  # clamped


def test_rounding_and_nan():
    values = torch.tensor([-1.0, -1.0 + 1 / 127.5, float("nan"), -2.0])
    assert to_uint8(values).tolist() == [0, 1, 128, 0]


def test_pad_value_and_layout():
    images = torch.full((2, 3, 2, 2), -1.0)
    grid = make_grid(images, nrow=2, padding=1, pad_value=1.0)
    assert grid.shape == (4, 7, 3)
    assert (grid[0] == 255).all() and (grid[:, 0] == 255).all() and (grid[:, 3] == 255).all()
    assert (grid[1:3, 1:3] == 0).all() and (grid[1:3, 4:6] == 0).all()
    dark = make_grid(images, nrow=2, padding=1, pad_value=-1.0)
    assert (dark == 0).all()


def test_image_placement_row_major():
    images = torch.linspace(-1, 1, 4).view(4, 1, 1, 1)
    grid = make_grid(images, nrow=2, padding=0)
    assert grid.tolist() == [[0, 85], [170, 255]]


def test_rejects_bad_input():
    with pytest.raises(ValueError, match="channels"):
        make_grid(torch.zeros(2, 2, 4, 4))
    with pytest.raises(ValueError, match="empty"):
        make_grid(torch.zeros(0, 1, 4, 4))
    with pytest.raises(ValueError):
        upscale(np.zeros((2, 2), np.uint8), 0)


def test_save_grid_size_and_scale(tmp_path, png_checks):
    assert_png, assert_no_temp_files = png_checks
    path = save_grid(torch.rand(10, 1, 8, 8) * 2 - 1, tmp_path / "sub" / "g.png", nrow=4, scale=3)
    assert path == tmp_path / "sub" / "g.png"
    assert assert_png(path) == (42 * 3, 32 * 3)
    with Image.open(path) as picture:
        pixels = np.asarray(picture)
    # Nearest-neighbour: every 3x3 block is one source pixel.
    assert (pixels[::3, ::3].repeat(3, 0).repeat(3, 1) == pixels).all()
    assert_no_temp_files(path.parent)


def test_save_grid_rgb(tmp_path, png_checks):
    assert_png, _ = png_checks
    path = save_grid(torch.zeros(4, 3, 8, 8), tmp_path / "rgb.png")
    assert assert_png(path) == (22, 22)
    with Image.open(path) as picture:
        assert picture.mode == "RGB"
