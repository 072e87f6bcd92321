"""How image and toy families write `gankit sample` output and draw their progress pictures."""

import numpy as np
import pytest
import torch
from PIL import Image

from gankit.data import load_dataset
from gankit.config import DataConfig
from gankit.objectives.outputs import draw_picture, grid_scale, toy_preview, write_npz, write_png


def test_npz_holds_uint8_nhwc_images_and_the_labels_and_never_overwrites(tmp_path):
    images = torch.linspace(-1, 1, 2 * 3 * 4 * 4).view(2, 3, 4, 4)
    path = tmp_path / "s.npz"
    write_npz(path, images, {"y": torch.tensor([4, 5])}, None)
    saved = np.load(path)
    assert saved["images"].shape == (2, 4, 4, 3) and saved["images"].dtype == np.uint8
    assert saved["images"][0, 0, 0, 0] == 0 and saved["images"][-1, -1, -1, -1] == 255
    assert saved["labels"].tolist() == [4, 5]
    with pytest.raises(FileExistsError):
        write_npz(path, images, {}, None)
    write_npz(tmp_path / "toy.npz", torch.zeros(3, 2), {}, None)
    assert np.load(tmp_path / "toy.npz")["samples"].shape == (3, 2)


def test_png_puts_one_class_a_row_when_the_labels_divide_the_samples(tmp_path):
    images = torch.zeros(8, 1, 4, 4)
    write_png(tmp_path / "rows.png", images, {"y": torch.tensor([0, 0, 0, 0, 1, 1, 1, 1])}, None)
    write_png(tmp_path / "square.png", images, {}, None)
    rows, square = Image.open(tmp_path / "rows.png").size, Image.open(tmp_path / "square.png").size
    assert rows[0] > 1.5 * rows[1] and square[0] < 1.2 * square[1]  # two rows of four, against three a row


def test_progress_pictures_pick_their_suffix_and_toy_previews_carry_real_samples(tmp_path):
    path = draw_picture(tmp_path / "step-000001", {"kind": "grid", "images": torch.zeros(4, 1, 4, 4)}, None)
    assert path == tmp_path / "step-000001.png" and path.is_file()
    data = load_dataset(DataConfig(name="ring8"))
    preview = toy_preview(torch.zeros(10, 2), data, labels=torch.arange(10))
    assert preview["real"].shape == (10, 2) and preview["fake_labels"].tolist() == list(range(10))
    assert draw_picture(tmp_path / "toy", preview, data).suffix == ".png"
    assert grid_scale(64, 28) >= 1 and grid_scale(4, 8, per_row=2) > grid_scale(64, 8)
