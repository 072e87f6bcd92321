import json
import math

import pytest
import torch

from gankit.losses import DIVERGENCES
from gankit.reproduce import EXPERIMENTS, reproduce
from gankit.reproduce.fgan_1d import Grid, data_moments, gaussian_of, mixture, true_minimiser
from tests.reproduce.tables import assert_tables_render


@pytest.mark.parametrize("div", sorted(DIVERGENCES))
def test_every_divergence_is_minimised_by_the_data_itself_when_the_data_is_one_gaussian(div):
    data = mixture((0.7,), 1.3)
    grid = Grid(data, 4001)
    mu, sigma, value = true_minimiser(div, data, grid)
    assert mu == pytest.approx(0.7, abs=1e-3) and sigma == pytest.approx(1.3, abs=1e-3)
    floor = -math.log(4) if div == "gan" else 0.0  # gan measures 2 JSD - log 4
    assert value == pytest.approx(floor, abs=1e-6)
    assert grid.divergence(div, 0.7, 1.0) > value + 1e-3


def test_the_mixture_separates_kl_from_reverse_kl():
    data = mixture()
    grid = Grid(data, 4001)
    mean, sd = data_moments(data)
    kl, rkl = true_minimiser("kl", data, grid), true_minimiser("reverse_kl", data, grid)
    assert kl[0] == pytest.approx(mean, abs=1e-3) and kl[1] == pytest.approx(sd, abs=1e-3)  # KL matches moments
    assert rkl[1] < 0.5 * kl[1] and abs(rkl[0] - (-1.0)) < 0.1  # reverse KL sits on the heavier mode


def test_gaussian_of_reads_an_affine_generator():
    G = torch.nn.Linear(1, 1)
    with torch.no_grad():
        G.weight.fill_(-0.4), G.bias.fill_(1.5)
    assert gaussian_of(G) == pytest.approx((1.5, 0.4), abs=1e-6)


def test_fgan_tiny_writes_report_figures_and_results(tmp_path):
    report = reproduce("fgan", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "fit_1d.png", "estimate_1d.png", "curves_ring8.png",
                 "snapshots_ring8.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert EXPERIMENTS["fgan"].TITLE in text and "fit_1d.png" in text and "estimate_1d.png" in text
    results = json.loads((out / "results.json").read_text())["results"]
    for div in DIVERGENCES:
        key = f"1d.{div}"
        assert results[f"{key}.curve_steps"] == [0, 10, 20, 30]
        assert len(results[f"{key}.fitted_mu"]) == len(results[f"{key}.fitted_sigma"]) == 1
        assert all(math.isfinite(v) for v in results[f"{key}.fitted_mu"] + results[f"{key}.curve_estimate"][0])
        assert math.isfinite(results[f"{key}.true_mu"]) and results[f"{key}.true_sigma"] > 0
        assert 0 <= results[f"ring8.{div}.final_modes_reached"][0] <= 8
    # The minimisers differ as the theory says: KL wide, reverse KL narrow.
    assert results["1d.kl.true_sigma"] > 2 * results["1d.reverse_kl.true_sigma"]
    assert len(report.summary) == len(DIVERGENCES)
    for div in EXPERIMENTS["fgan"].SIZES["tiny"]["fashion"]["divergences"]:  # a FID or an explicit failure
        fid = results[f"fashion.{div}.fid"]
        assert fid is None or (math.isfinite(fid) and fid > 0)
        assert results[f"fashion.{div}.loss"] == f"fgan/{div}/nonsaturating"
    assert "DCGAN nets" in text
