import json
import math

from gankit.reproduce import EXPERIMENTS, reproduce
from tests.reproduce.tables import assert_tables_render


def test_fig1_tiny_writes_report_figures_and_consistent_theory(tmp_path):
    report = reproduce("fig1", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "fig1.png", "d_star.png", "training.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 1
    assert "![" in text and "fig1.png" in text and "d_star.png" in text and "change of" in text
    results = json.loads((out / "results.json").read_text())["results"]
    for step in (2, 40):  # tiny: 40 G steps, D* checked at steps // 20 and at the end
        for key in ("d_gap_max", "d_gap_mean", "v_dstar", "c_from_jsd", "jsd", "v_dnet", "v_minus_c"):
            value = results[f"{key}_step{step}"]
            assert isinstance(value, float) and math.isfinite(value), (key, step, value)
        # V(D*, G) = -log 4 + 2 JSD on the grid (both densities normalised there); JSD lies in [0, log 2].
        assert abs(results[f"v_minus_c_step{step}"]) < 1e-9
        assert abs(results[f"mass_g_step{step}"] - 1) < 0.1  # the exact p_g nearly integrates to one unaided
        assert 0 <= results[f"jsd_step{step}"] <= math.log(2) + 1e-9
        # No D beats D*: the trained D's value on the same grid is at most V(D*, G).
        assert results[f"v_dnet_step{step}"] <= results[f"v_dstar_step{step}"] + 1e-9
        assert 0 <= results[f"d_gap_mean_step{step}"] <= results[f"d_gap_max_step{step}"] <= 1
        assert 0 < results[f"d_steps_step{step}"] <= 150
    for step in (0, 2, 10, 40):
        assert math.isfinite(results[f"d_dev_step{step}"]) and math.isfinite(results[f"w1_step{step}"])
    assert len(report.summary) >= 4 and EXPERIMENTS["fig1"].TITLE in text
