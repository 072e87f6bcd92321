"""What a run's progress pictures add up to: the GIF of the frames and the curves of stats.jsonl."""

import json

import torch

from gankit.objectives.outputs import draw_picture
from gankit.train.pictures import finish_pictures


def test_the_gif_is_made_of_the_png_frames_and_the_curves_of_the_log(tmp_path):
    (tmp_path / "samples").mkdir()
    for step in (0, 5):
        draw_picture(tmp_path / "samples" / f"step-{step:06d}", {"kind": "grid", "images": torch.zeros(4, 1, 4, 4)},
                     None)
    (tmp_path / "samples" / "step-000007.txt").write_text("a family's text picture: no frame of the GIF")
    (tmp_path / "stats.jsonl").write_text("".join(json.dumps({"step": s, "loss_D": 1.0 / s, "examples_seen": s})
                                                  + "\n" for s in (1, 2, 3)))
    out = finish_pictures(tmp_path)
    assert out["gif"].is_file() and out["grid"].name == "step-000005.png" and out["curves"].is_file()


def test_a_run_without_frames_or_log_makes_nothing(tmp_path):
    (tmp_path / "samples").mkdir()
    assert finish_pictures(tmp_path) == {}
