import json

import numpy as np
import pytest
import torch

from gankit import api
from gankit.cli import main
from gankit.data import to_uint8
from gankit.errors import GankitError
from gankit.evaluation import evaluate_run, evaluate_samples, load_samples
from tests.conftest import tiny_image_config, tiny_toy_config


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    return api.train(tiny_image_config(steps=2), out=out, overrides=["data.resolution=null"])


def test_toy_run_scores_w1_kl_js_and_writes_metrics_json(tmp_path):
    run = api.train(tiny_toy_config(), out=tmp_path)
    result = evaluate_run(run, n=500)
    saved = json.loads((run / "metrics.json").read_text())
    assert saved["w1"] == pytest.approx(result["w1"]) and result["w1"] > 0
    assert 0 <= result["js"] <= np.log(2) + 1e-9 and result["kl"] >= 0


def test_image_run_scores_the_defaults(digits_run, capsys):
    assert main(["eval", str(digits_run), "--n", "300"]) == 0
    table = capsys.readouterr().out
    for name in ("fid", "kid", "kid_std", "is", "precision", "recall", "density", "coverage"):
        assert any(line.split()[0] == name for line in table.splitlines()), name
    saved = json.loads((digits_run / "metrics.json").read_text())
    assert saved["extractor"] == "digits" and saved["fid"] > 0 and saved["n_fake"] == 300


def test_parzen_and_memorization_on_request(digits_run):
    result = evaluate_run(digits_run, metrics="parzen,memorization", n=200)
    assert np.isfinite(result["parzen_mean"]) and result["parzen_std_error"] > 0
    assert result["memorization_median_ratio"] > 0 and 0 <= result["memorization_suspicious_share"] <= 1
    from PIL import Image
    picture = Image.open(digits_run / "memorization.png")
    assert picture.size[1] > 2 * picture.size[0]  # 8 rows of (generated, nearest training) pairs


def test_samples_from_any_tool_are_scored_against_a_dataset(tmp_path, digits_run):
    # Real test digits, written as another tool would: they must score far better than noise.
    from gankit.config import DataConfig
    from gankit.data import load_dataset
    real = load_dataset(DataConfig(name="digits", split="train")).as_float()[:297]
    noise = torch.rand_like(real) * 2 - 1
    for name, x in (("real", real), ("noise", noise)):
        np.savez(tmp_path / f"{name}.npz", images=to_uint8(x).permute(0, 2, 3, 1).numpy())
    fid_real = evaluate_samples(tmp_path / "real.npz", ["data.name=digits"], metrics="fid")["fid"]
    fid_noise = evaluate_samples(tmp_path / "noise.npz", ["data.name=digits"], metrics="fid")["fid"]
    assert fid_real * 10 < fid_noise
    out = tmp_path / "m.json"
    assert main(["eval", "--samples", str(tmp_path / "real.npz"), "--data", "digits", "--metrics", "fid",
                 "--out", str(out)]) == 0
    assert json.loads(out.read_text())["fid"] == pytest.approx(fid_real)


@pytest.mark.parametrize("args, words", [
    (["eval"], "give a run folder"),
    (["eval", "--samples", "/no/such.npz", "--data", "digits"], "do not exist"),
    (["eval", "--samples", "x.npz"], "--data DATASET"),
])
def test_eval_errors(args, words, capsys):
    assert main(args) == 2
    assert words in capsys.readouterr().err


def test_metric_names_are_checked(digits_run):
    with pytest.raises(GankitError, match="metric 'modes' does not apply to this objective=gan run on "
                                          "data.name=digits; choose from fid, kid"):
        evaluate_run(digits_run, metrics="modes", n=10)


def test_load_samples_rejects_wrong_arrays(tmp_path):
    np.savez(tmp_path / "bad.npz", images=np.zeros((2, 8, 8, 1), dtype=np.float32))
    with pytest.raises(GankitError, match="uint8"):
        load_samples(tmp_path / "bad.npz")
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(GankitError, match="neither"):
        load_samples(tmp_path / "other.npz")


def test_a_folder_of_images_is_scored_like_an_npz(tmp_path):
    from PIL import Image
    from gankit.config import DataConfig
    from gankit.data import load_dataset
    real = to_uint8(load_dataset(DataConfig(name="digits", split="train")).as_float()[:50])
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i, image in enumerate(real):
        Image.fromarray(image[0].numpy(), mode="L").save(folder / f"{i:03d}.png")
    np.savez(tmp_path / "same.npz", images=real.permute(0, 2, 3, 1).numpy())
    from_folder = evaluate_samples(folder, ["data.name=digits"], metrics="fid")["fid"]
    from_npz = evaluate_samples(tmp_path / "same.npz", ["data.name=digits"], metrics="fid")["fid"]
    assert from_folder == pytest.approx(from_npz, rel=1e-9)


def test_2d_toy_run_reports_modes(tmp_path):
    cfg = tiny_toy_config()
    cfg.data.name, cfg.model.z_dim = "ring8", 2
    run = api.train(cfg, out=tmp_path)
    result = evaluate_run(run, n=400)
    assert result["modes_total"] == 8 and 0 <= result["modes_reached"] <= 8
    assert 0 <= result["high_quality_share"] <= 1 and len(result["counts"]) == 8


def test_foreign_sample_files_are_read_in_every_unambiguous_layout_or_refused_in_one_sentence(tmp_path):
    grey = np.random.default_rng(0).integers(0, 256, (5, 8, 8), dtype=np.uint8)
    np.savez(tmp_path / "nhw.npz", images=grey)
    np.savez(tmp_path / "nchw.npz", images=grey[:, None])
    np.savez(tmp_path / "nhwc.npz", images=grey[..., None])
    shapes = [load_samples(tmp_path / f"{n}.npz") for n in ("nhw", "nchw", "nhwc")]
    assert all(torch.equal(x, shapes[0]) for x in shapes) and shapes[0].shape == (5, 1, 8, 8)
    (tmp_path / "cut.npz").write_bytes((tmp_path / "nhw.npz").read_bytes()[:40])
    (tmp_path / "text.npz").write_text("hello")
    np.save(tmp_path / "bare.npy", grey)
    np.savez(tmp_path / "strings.npz", images=np.array(["a", "b"]))
    np.savez(tmp_path / "inf.npz", samples=np.full((4, 2), np.inf))
    for name, words in (("cut.npz", "not a readable .npz archive"), ("text.npz", "not a readable .npz archive"),
                        ("bare.npy", "not a readable .npz archive"), ("strings.npz", "'images' must be uint8"),
                        ("inf.npz", "NaN or infinite")):
        with pytest.raises(GankitError, match=words) as caught:
            load_samples(tmp_path / name)
        assert "allow_pickle" not in str(caught.value)  # never advise loading pickles
