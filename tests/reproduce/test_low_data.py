import json

import torch

from gankit.reproduce import reproduce
from gankit.reproduce.low_data import AUGMENTS, SIZES, d_gap


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
