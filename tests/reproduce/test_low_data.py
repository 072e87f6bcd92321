import json

import torch

from gankit.reproduce import reproduce
from gankit.reproduce.low_data import AUGMENTS, MODELS, SIZES, d_gap, every_run, plan


def test_low_data_tiny_trains_both_models_with_every_augmentation_at_equal_steps_and_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    report = reproduce("low-data", out=tmp_path, scale="tiny")
    out = report.out_dir
    for name in ("report.md", "results.json", "fid_and_p.png", "samples_dcgan.20.png", "samples_stylegan2.20.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    steps = SIZES["tiny"]["steps"]
    for model in ("dcgan", "stylegan2"):
        for kind in AUGMENTS:
            key = f"{model}.20.{kind}"
            assert [s for s, _ in results[f"{key}.curve"]] == [2, 4] and results[f"{key}.curve"][-1][0] == steps
            assert results[f"{key}.n_images"] == 20 and results[f"{key}.fid"] > 0
            assert (results[f"{key}.p"] is None) == (kind != "ada")
        assert results[f"{model}.20.ada.p"] >= 0
    assert results["dcgan.20.none.fid"] != results["stylegan2.20.none.fid"]
    text = (out / "report.md").read_text()
    assert "DiffAugment" in text and "FID of the subset itself" in text and "| StyleGAN2 |" in text
    assert "StyleGAN2 FID at 20 images" in text and "DCGAN FID at 20 images" in text


def test_d_gap_reads_d_in_eval_mode_and_restores_it():
    D = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1))
    D.train()
    train, held = torch.ones(3, 1, 2, 2), torch.zeros(3, 1, 2, 2)
    a, b = d_gap(D, train, held)
    assert D.training
    with torch.no_grad():
        assert abs(a - D(train).mean().item()) < 1e-6 and abs(b - D[1].bias.item()) < 1e-6


def test_only_runs_the_chosen_rows_of_any_model_and_subset_at_the_scale_s_steps(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    report = reproduce("low-data", out=tmp_path, scale="tiny", only="stylegan2.100.diff*,dcgan.1pct.ada")
    assert report.only == ["dcgan.1pct.ada", "stylegan2.100.diffaug"]
    results = json.loads((report.out_dir / "results.json").read_text())
    assert results["only"] == report.only
    runs = {key.rsplit(".", 1)[0] for key in results["results"] if key.endswith(".fid") and "copy" not in key}
    assert runs == {"dcgan.1pct.ada", "stylegan2.100.diffaug"}  # not the tiny scale's own 20-image runs
    assert results["results"]["dcgan.1pct.ada.n_images"] == 600
    assert results["results"]["stylegan2.100.diffaug.curve"][-1][0] == SIZES["tiny"]["steps"]
    for name in ("samples_dcgan.1pct.png", "samples_stylegan2.100.png", "fid_and_p.png"):
        assert (report.out_dir / name).stat().st_size > 0
    text = (report.out_dir / "report.md").read_text()
    assert "Only the runs dcgan.1pct.ada, stylegan2.100.diffaug" in text
    assert "StyleGAN2 FID at 100 images: DiffAugment" in text and "issue 24's target" not in text
    other = reproduce("low-data", out=tmp_path, scale="tiny", only="dcgan.10perclass.*")  # all three, not the 20
    text = (other.out_dir / "report.md").read_text()
    assert "DCGAN FID at 10 per class: none / DiffAugment / ADA" in text and "issue 24's target" not in text


def test_every_run_has_a_distinct_key_for_each_model_subset_and_augmentation():
    keys = every_run()
    assert len(keys) == len(set(keys)) == len(MODELS) * len(SIZES["full"]["subsets"]) * len(AUGMENTS)
    assert {"dcgan.100.none", "dcgan.10perclass.ada", "stylegan2.10pct.diffaug", "stylegan2.100pct.none"} <= set(keys)
    chosen = plan(SIZES["default"], ["stylegan2.10pct.ada", "stylegan2.10pct.none"])
    assert chosen == {"stylegan2_fashion": {"10% (6000 images)": (["data.limit=6000"], ["none", "ada"])}}
    assert list(plan(SIZES["default"], None)) == SIZES["default"]["recipes"]
