import numpy as np
import pytest
from PIL import Image

from gankit.viz.gif import save_gif


def _frames(count, shape=(8, 8)):
    return [np.full(shape, 20 * i, dtype=np.uint8) for i in range(count)]


def test_frame_count_and_durations(tmp_path, png_checks):
    _, assert_no_temp_files = png_checks
    path = save_gif(_frames(4), tmp_path / "out" / "a.gif", duration_ms=100)
    with Image.open(path) as gif:
        assert gif.n_frames == 4
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
    assert durations == [100, 100, 100, 300]
    assert_no_temp_files(path.parent)


def test_png_paths_and_rgb(tmp_path):
    paths = []
    for i in range(3):
        pixels = np.zeros((6, 10, 3), np.uint8)
        pixels[..., i] = 255
        paths.append(tmp_path / f"f{i}.png")
        Image.fromarray(pixels).save(paths[-1])
    path = save_gif(paths, tmp_path / "b.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 3 and gif.size == (10, 6)


def test_mismatched_sizes_name_the_sizes(tmp_path):
    frames = _frames(2) + [np.zeros((8, 10), np.uint8)]
    with pytest.raises(ValueError, match=r"8x8.*10x8"):
        save_gif(frames, tmp_path / "c.gif")
    assert list(tmp_path.iterdir()) == []


def test_rejects_empty_and_float(tmp_path):
    with pytest.raises(ValueError):
        save_gif([], tmp_path / "d.gif")
    with pytest.raises(ValueError, match="uint8"):
        save_gif([np.zeros((4, 4))], tmp_path / "d.gif")
