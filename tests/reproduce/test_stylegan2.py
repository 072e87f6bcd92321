import json

from gankit.reproduce import reproduce


def test_stylegan2_tiny_trains_both_at_equal_steps_sweeps_truncation_and_draws(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    report = reproduce("stylegan2", out=tmp_path, scale="tiny")
    out = report.out_dir
    kept = {p.name for p in (out / "progress").iterdir()}  # each training's checkpoint, for --resume
    assert kept >= {"dcgan", "stylegan2"}, kept
    for name in ("report.md", "results.json", "truncation.png", "style_mixing.png", "walk.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    assert results["stylegan2.steps"] == results["dcgan.steps"] == 3
    for model in ("stylegan2", "dcgan"):
        for psi in ("1", "0.5"):
            assert 0 <= results[f"{model}.psi{psi}.precision"] <= 1 and results[f"{model}.psi{psi}.fid"] > 0
    assert results["time_per_step_ratio"] > 0
    # StyleGAN2 scored once its training time reached DCGAN's whole (or at its end, had it been faster)
    at = results["stylegan2.equal_time.step"]
    assert 1 <= at <= 3 and results["stylegan2.equal_time.fid"] > 0
    assert results["stylegan2.equal_time.seconds"] >= results["dcgan.seconds"] or at == 3
