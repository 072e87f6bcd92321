import json

import torch

from gankit.config import load_config
from gankit.reproduce import reproduce, stylegan2, translation_common
from gankit.reproduce.datasets import image_data
from gankit.reproduce.dcgan_vs_mlp import Scorer


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


def test_scoring_stylegan2_midway_leaves_its_training_untouched(monkeypatch, tmp_path):
    """The equal-time score is taken inside the training (a watch); the weights after it must be those of a
    training nobody watched, or the equal-steps numbers would depend on the machine's speed."""
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    choice = image_data(digits_resolution=16)
    size = dict(stylegan2.SIZES["tiny"], n=50)
    scorer = Scorer(load_config("dcgan_fashion", choice.overrides).data, choice.extractor, 100)
    cfg = load_config("stylegan2_fashion", choice.overrides + stylegan2.TINY["StyleGAN2"] + ["train.precision=fp32"])
    notes: dict = {}

    def at_step_2(s, notes):
        if s.step == 2:
            notes["midway"] = stylegan2.sweep(s, size, scorer, (1.0,))[1.0]

    watched = translation_common.train(cfg, steps=4, watch=at_step_2, notes=notes)
    alone = translation_common.train(cfg, steps=4)
    assert notes["midway"]["fid"] > 0
    for name, net in alone.parts.nets.items():
        for (key, a), b in zip(net.state_dict().items(), watched.parts.nets[name].state_dict().values()):
            assert torch.equal(a, b), f"{name}.{key}"
