"""Super-resolution (objective: srgan): its phases, noise, user images, warm start and network interpolation."""

import numpy as np
import pytest
import torch
from PIL import Image

from gankit import api
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.interpolate import interpolate_runs
from gankit.objectives import srgan
from gankit.train import checkpoint as ckpt
from gankit.train.session import advance, start_session
from gankit.translate_files import translate_files
from tests.conftest import options_session, tiny_srgan_config


def _session(**options):
    return options_session(tiny_srgan_config(), **options)


def _copy(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def _moved(before, net):
    return any(not torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_the_pixel_phase_trains_g_alone_then_d_joins():
    s, data = _session(pretrain_steps=2)
    g, d = _copy(s.nets["G"]), _copy(s.nets["D"])
    stats = advance(s, data)
    assert _moved(g, s.nets["G"]) and not _moved(d, s.nets["D"])
    assert set(stats) >= {"pixel"} and "loss_D" not in stats and "feature" not in stats
    advance(s, data)
    stats = advance(s, data)  # step 2: adversarial and feature losses on
    assert _moved(d, s.nets["D"]) and {"loss_D", "loss_G", "feature", "pixel"} <= set(stats)


def test_the_psnr_model_never_touches_d():
    s, data = _session(adv_weight=0.0, feature_weight=0.0)
    d = _copy(s.nets["D"])
    for _ in range(3):
        assert set(advance(s, data)) == {"pixel"}
    assert not _moved(d, s.nets["D"])


def test_g_outputs_scale_times_larger_images_that_depend_on_the_noise():
    s, _ = _session()
    x = torch.zeros(2, 1, 7, 7)
    gen = torch.Generator().manual_seed(0)
    a = srgan.generate(s.parts, {"x": x, "z": srgan.noise(s.parts, x, gen)})
    b = srgan.generate(s.parts, {"x": x, "z": srgan.noise(s.parts, x, gen)})
    assert a.shape == (2, 1, 28, 28) and not torch.equal(a, b)


def test_a_deterministic_g_takes_no_noise():
    s, _ = _session(noise=0)
    inputs = srgan.inputs(s.parts, 3, torch.Generator().manual_seed(0))
    assert "z" not in inputs and inputs["target"].shape == (3, 1, 28, 28)
    assert srgan.generate(s.parts, inputs).shape == (3, 1, 28, 28)


def test_the_feature_loss_needs_a_network_that_reads_the_images():
    cfg = tiny_srgan_config()
    cfg.data.resolution = 16
    with pytest.raises(GankitError, match="srgan.vgg_weights"):
        load_and_start(cfg)


def load_and_start(cfg):
    return start_session(cfg, load_dataset(cfg.data), "cpu")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("sr")
    psnr = api.train(tiny_srgan_config(steps=2), out=out, overrides=["srgan.adv_weight=0", "srgan.feature_weight=0"])
    gan = api.train(tiny_srgan_config(steps=2), out=out, overrides=[f"model.init_from={psnr}", "train.seed=1"])
    return psnr, gan


def _g_tensors(run):
    tensors, _, _, _ = ckpt.load_newest_good(run / "checkpoints")
    return {k: v for k, v in tensors.items() if k.split(".")[0] in ("G", "G_ema")}


def test_init_from_starts_every_network_from_the_other_run(two_runs):
    psnr, _ = two_runs
    cfg = tiny_srgan_config()
    cfg.model.init_from = str(psnr)
    s = load_and_start(cfg)
    saved = _g_tensors(psnr)
    for key, value in s.nets["G"].state_dict().items():
        assert torch.equal(value, saved[f"G.{key}"])


@pytest.mark.parametrize("alpha", [0.0, 1.0, 0.25])
def test_interpolated_generators_are_the_runs_at_0_and_1_and_their_mix_between(two_runs, tmp_path, alpha):
    psnr, gan = two_runs
    run = interpolate_runs(psnr, gan, alpha, out=tmp_path)
    got, a, b = _g_tensors(run), _g_tensors(psnr), _g_tensors(gan)
    assert got.keys() == a.keys()
    for key in got:
        expected = a[key] if alpha == 0 else b[key] if alpha == 1 else (0.75 * a[key].double() + 0.25 * b[key].double())
        assert torch.allclose(got[key].double(), expected.double(), atol=1e-7), key
    loaded = api.load_run(run)  # sampled and evaluated like any run
    assert api.sample(loaded, n=2).shape == (2, 1, 28, 28)
    assert (run / "interpolation.json").is_file()


def test_interpolation_never_overwrites_a_run(two_runs, tmp_path):
    psnr, gan = two_runs
    first, second = interpolate_runs(psnr, gan, 0.5, out=tmp_path), interpolate_runs(psnr, gan, 0.5, out=tmp_path)
    assert first != second and first.is_dir() and second.is_dir()


def test_translate_super_resolves_a_users_images(two_runs, tmp_path):
    _, gan = two_runs
    (tmp_path / "in").mkdir()
    for name in ("a", "b"):
        Image.fromarray(np.full((7, 7), 200, np.uint8), "L").save(tmp_path / "in" / f"{name}.png")
    written = translate_files(gan, tmp_path / "in", out=tmp_path / "out")
    assert [p.name for p in written] == ["a.png", "b.png"]
    assert Image.open(written[0]).size == (28, 28)
