"""Latent walks and style-mixing grids of `gankit sample` (gankit.objectives.latent_tools)."""

import math

import pytest
import torch
from PIL import Image

from gankit import api
from gankit.errors import GankitError
from gankit.objectives.latent_tools import slerp
from tests.conftest import FAMILY_CONFIGS
from tests.objectives.test_style_based import config as style_config


def test_slerp_keeps_the_ends_and_the_angle_moves_evenly():
    a, b = torch.tensor([[2.0, 0.0]]), torch.tensor([[0.0, 3.0]])
    assert torch.allclose(slerp(a, b, torch.tensor([0.0])), a, atol=1e-6)
    assert torch.allclose(slerp(a, b, torch.tensor([1.0])), b, atol=1e-5)
    mid = slerp(a, b, torch.tensor([0.5]))[0]
    assert math.isclose(mid.norm().item(), 2.5, rel_tol=1e-5)
    assert math.isclose(torch.atan2(mid[1], mid[0]).item(), math.pi / 4, rel_tol=1e-5)


def test_a_walk_in_z_is_a_closed_loop_of_small_steps_written_as_gif_and_png(tmp_path):
    run = api.load_run(api.train(FAMILY_CONFIGS["gan"](steps=2), out=tmp_path / "r"))
    _, inputs = api.draw(run, 3, 0, walk="12")
    z = inputs["z"].view(12, 3, -1)
    steps = (z - z.roll(-1, 0)).norm(dim=2)  # the last frame's step leads back to the first
    assert steps.max() < 3 * steps.median()
    assert torch.equal(inputs["frame"], torch.arange(12).repeat_interleave(3))
    for suffix, frames in ((".gif", 12), (".png", 1)):
        samples, inputs = api.draw(run, 3, 0, walk="12")
        run.family.writers[suffix](tmp_path / f"walk{suffix}", samples, inputs, run.parts)
        with Image.open(tmp_path / f"walk{suffix}") as picture:
            assert getattr(picture, "n_frames", 1) == frames


def test_a_walk_in_w_interpolates_the_mapped_styles(tmp_path):
    run = api.load_run(api.train(style_config(steps=2), out=tmp_path))
    samples, inputs = api.draw(run, 2, 0, walk="6")
    G = run.parts.sampling_net().eval()
    with torch.no_grad():
        w0, w1 = G.mapping(inputs["z"][2:3]), G.mapping(inputs["z_end"][2:3])
        ws = torch.lerp(w0, w1, inputs["at"][2]).unsqueeze(1).expand(-1, G.num_ws, -1)
        assert torch.allclose(samples[2:3], G.synthesis(ws), atol=1e-5)


def test_a_style_mixing_grid_takes_coarse_styles_from_rows_and_fine_from_columns(tmp_path):
    run = api.load_run(api.train(style_config(steps=2), out=tmp_path))
    samples, inputs = api.draw(run, 2, 0, style_mix="2")  # a 3 x 3 grid, its corner blank
    G = run.parts.sampling_net().eval()
    z, z_end = inputs["z"], inputs["z_end"]
    assert inputs["blank"].tolist() == [True] + [False] * 8
    with torch.no_grad():
        row, col = G.mapping(z[4:5]), G.mapping(z_end[4:5])  # cell (1, 1): row source 0, column source 0
        ws = torch.cat([row.expand(2, -1), col.expand(G.num_ws - 2, -1)])[None]
        assert torch.allclose(samples[4:5], G.synthesis(ws), atol=1e-5)
        assert torch.allclose(samples[1:2], G(z_end[4:5]), atol=1e-5)  # the first row: column sources alone
        assert torch.allclose(samples[3:4], G(z[4:5]), atol=1e-5)  # the first column: row sources alone


def test_a_conditional_style_mixing_grid_maps_both_sources_under_its_one_class(tmp_path):
    run = api.load_run(api.train(style_config("conditional", steps=2), out=tmp_path))
    samples, inputs = api.draw(run, 2, 0, style_mix="1", labels="2")
    G = run.parts.sampling_net().eval()
    assert torch.equal(inputs["y"], torch.full((9,), 2))
    y = inputs["y"][4:5]
    with torch.no_grad():
        row, col = G.mapping(inputs["z"][4:5], y), G.mapping(inputs["z_end"][4:5], y)
        ws = torch.cat([row.expand(1, -1), col.expand(G.num_ws - 1, -1)])[None]
        assert torch.allclose(samples[4:5], G.synthesis(ws), atol=1e-5)
    assert torch.equal(api.draw(run, 2, 0, style_mix="1")[1]["y"], torch.zeros(9, dtype=torch.int64))
    with pytest.raises(GankitError, match="one class"):
        api.draw(run, 2, 0, style_mix="1", labels="0,1")
