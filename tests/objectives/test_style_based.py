"""model.name=stylegan2 in the gan and conditional families: its step (style mixing, lazy R1, augmentation),
resume bit for bit, and sampling with truncation."""

import copy

import pytest
import torch

from gankit import api
from gankit.config import from_dict, to_dict
from gankit.data import load_dataset
from gankit.train.session import advance, start_session
from tests.conftest import FAMILY_CONFIGS, assert_resume_bit_exact

STYLE = {"name": "stylegan2", "z_dim": 8, "width": 4, "mapping_layers": 2, "g_out": "none"}
R1 = {"penalty": "r1", "r1_gamma": 1.0, "r1_every": 2}


def config(family="gan", augment="none", path_length=False, **train):
    tree = to_dict(FAMILY_CONFIGS[family](**train))
    tree["model"] = STYLE | ({"name": "stylegan2"})
    tree["data"]["resolution"] = 16
    tree["loss"] = R1 | ({"pl_weight": 2.0, "pl_every": 2} if path_length else {})
    tree["train"]["augment"] = augment
    if family == "conditional":
        tree["conditional"] = {"cond": "projection"}
    return from_dict(tree)


@pytest.mark.parametrize("family", ["gan", "conditional"])
def test_one_step_mixes_styles_and_moves_g_d_and_the_ema(family):
    cfg = config(family)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    before = {name: copy.deepcopy(net.state_dict()) for name, net in s.nets.items()}
    stats = advance(s, data)
    for name, net in s.nets.items():
        assert any(not torch.equal(before[name][k], v) for k, v in net.state_dict().items()), name
    assert "mixing" in s.t.generators and "penalty" in stats  # step 0: lazy R1 is due
    assert "penalty" not in advance(s, data)  # step 1 of r1_every=2: not due
    assert s.nets["G"].mapping.w_avg.abs().sum() > 0


@pytest.mark.parametrize("family,augment", [("gan", "ada"), ("conditional", "diffaug")])
def test_n_steps_then_resume_then_n_equals_2n_bit_for_bit(tmp_path, family, augment):
    final = assert_resume_bit_exact(tmp_path, lambda **train: config(family, augment, family == "gan", **train),
                                    steps=3)
    assert "rng.mixing" in final and "G.mapping.w_avg" in final and "G.pl_mean" in final
    assert (final["G.pl_mean"] != 0).item() == (family == "gan")  # path-length regularisation ran


def test_path_lengths_are_the_norm_of_the_jacobian_transpose_times_a_random_image():
    from gankit.objectives.path_length import path_lengths

    A = torch.randn(5, 2 * 3 * 3)

    class Linear:  # images = (sum of the per-layer styles) A, so J^T r = A r for each of the 4 layers
        def styles(self, z, y):
            return z[:, None].expand(-1, 4, -1)

        def synthesis(self, ws):
            return (ws.sum(1) @ A).view(-1, 2, 3, 3)

    z = torch.randn(6, 5, requires_grad=True)
    r = torch.randn(6, 2, 3, 3)
    lengths, _ = path_lengths(Linear(), z, None, lambda shape: r)
    expected = ((r / 3).flatten(1) @ A.t()).norm(dim=1)  # r / sqrt(H W), H = W = 3
    assert torch.allclose(lengths, expected, atol=1e-5)


def test_path_length_regularisation_is_its_own_lazy_g_update():
    cfg = config(path_length=True)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    first, second = advance(s, data), advance(s, data)
    assert "path_length" in first and "penalty_G" in first and "path_length" not in second
    assert s.nets["G"].pl_mean.item() > 0


def test_truncation_pulls_samples_to_the_mean_and_psi_1_changes_nothing(tmp_path):
    run = api.train(config(steps=3), out=tmp_path)
    plain = api.sample(run, n=6, seed=1)
    assert torch.equal(api.sample(run, n=6, seed=1, truncation="1"), plain)
    mean = api.sample(run, n=6, seed=1, truncation="0")
    assert torch.allclose(mean, mean[:1].expand_as(mean), atol=1e-5)
    half = api.sample(run, n=6, seed=1, truncation="0.5")
    assert half.std(0).mean() < plain.std(0).mean()


def test_truncation_of_a_dcgan_scales_its_noise(tmp_path):
    run = api.load_run(api.train(FAMILY_CONFIGS["gan"](steps=2), out=tmp_path))
    x, inputs = api.draw(run, 4, 0, truncation="0.5")
    G = run.parts.sampling_net()
    G.eval()
    with torch.no_grad():
        assert torch.allclose(x, G(inputs["z"] * 0.5), atol=1e-6)


def test_the_folder_recipe_trains_on_a_users_images_and_samples(tmp_path, capsys):
    import numpy as np
    from PIL import Image

    from gankit.cli import main

    rng = np.random.default_rng(0)
    (tmp_path / "imgs").mkdir()
    for i in range(10):
        Image.fromarray(rng.integers(0, 256, (20, 24, 3), dtype=np.uint8)).save(tmp_path / "imgs" / f"{i}.png")
    assert main(["train", "stylegan2_folder", "--out", str(tmp_path / "runs"), "--set",
                 f"data.path={tmp_path / 'imgs'}", "data.resolution=16", "model.width=4", "model.z_dim=8",
                 "model.mapping_layers=2", "train.steps=2", "train.batch_size=4", "train.n_samples=4",
                 "train.progress=false"]) == 0
    (run,) = (tmp_path / "runs").iterdir()
    assert main(["sample", str(run), "--n", "4", "--truncation", "0.7", "--out", str(tmp_path / "s.png")]) == 0
    with Image.open(tmp_path / "s.png") as picture:
        assert picture.mode == "RGB"
    assert "ADA's augmentation probability p" in capsys.readouterr().err


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("family,augment", [("gan", "ada"), ("conditional", "diffaug")])
def test_a_cuda_style_step_with_augmentation_never_waits_for_the_device(family, augment):
    from gankit.train.device import place_data

    cfg = config(family, augment)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cuda")
    placed = place_data(data, s.t.device)
    advance(s, placed)  # the first step may synchronise (lazy initialisation)
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(3):  # R1 due on one of them (r1_every=2)
            advance(s, placed)
    finally:
        torch.cuda.set_sync_debug_mode("default")
