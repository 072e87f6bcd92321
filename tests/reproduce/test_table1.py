import json
import math

import numpy as np
import pytest
import torch

from gankit.errors import GankitError
from gankit.reproduce import reproduce
from gankit.reproduce.table1 import mnist_verdict, pixels
from tests.data.conftest import idx_bytes
from tests.reproduce.tables import assert_tables_render


def test_mnist_verdict_needs_mnist_size_and_ink():
    assert mnist_verdict(torch.full((60_000, 1, 28, 28), 33, dtype=torch.uint8))[0]  # mean pixel 0.129
    assert not mnist_verdict(torch.full((60_000, 1, 28, 28), 73, dtype=torch.uint8))[0]  # 0.286, as Fashion
    looks, why = mnist_verdict(torch.full((600, 1, 28, 28), 33, dtype=torch.uint8))
    assert not looks and "600 training images" in why


def test_pixels_are_rows_in_unit_range():
    u8 = torch.tensor([[[[0, 255], [51, 102]]]], dtype=torch.uint8)
    assert torch.allclose(pixels(u8), torch.tensor([[0.0, 1.0, 0.2, 0.4]], dtype=torch.float64), atol=1e-6)
    assert torch.allclose(pixels(torch.tensor([[[[-1.0, 1.0]]]])), torch.tensor([[0.0, 1.0]], dtype=torch.float64))


def mnist_format_folder(path):
    rng = np.random.default_rng(0)
    path.mkdir()
    for prefix, n in (("train", 600), ("t10k", 100)):
        (path / f"{prefix}-images-idx3-ubyte").write_bytes(idx_bytes(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)))
        (path / f"{prefix}-labels-idx1-ubyte").write_bytes(idx_bytes(rng.integers(0, 10, n).astype(np.uint8)))
    return path


def test_table1_tiny_on_user_idx_files(tmp_path):
    report = reproduce("table1", out=tmp_path / "out", scale="tiny", data=mnist_format_folder(tmp_path / "mine"))
    out = report.out_dir
    for name in ("report.md", "results.json", "samples.png", "parzen_curve.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    assert results["looks_like_mnist"] is False and "mine" in results["dataset"]
    # The protocol's splits: the last sixth of the 600 training rows choose sigma, the 100 test rows score.
    assert (results["n_validation"], results["n_test"], results["n_samples"]) == (100, 100, 200)
    assert results["parzen_sigma"] in results["sigmas"] and len(results["sigmas"]) == 10
    assert results["parzen_validation_ll"][results["sigmas"].index(results["parzen_sigma"])] == \
        max(results["parzen_validation_ll"])
    for key in ("parzen_mean", "parzen_std_error", "real_parzen_mean", "curve_real"):
        assert math.isfinite(results[key]), key
    assert [step for step, _ in results["curve"]] == [0, 2, 4]
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert "not comparable" in text and "225 +/- 2" in text and "samples.png" in text


def test_data_is_refused_where_it_is_not_used_or_missing(tmp_path):
    with pytest.raises(GankitError, match="experiment 'fig1' uses built-in data and takes no --data; only table1"):
        reproduce("fig1", out=tmp_path, scale="tiny", data=tmp_path)
    with pytest.raises(GankitError, match="--data .*nowhere is not a folder"):
        reproduce("table1", out=tmp_path, scale="tiny", data=tmp_path / "nowhere")
