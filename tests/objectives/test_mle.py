"""Maximum likelihood: the step lowers the NLL of what it trains on; sampling and scoring through the CLI."""

import json

import numpy as np
import pytest
import torch

from gankit import api
from gankit.cli import main
from gankit.data import load_dataset
from gankit.objectives import mle, text
from gankit.train.session import advance, start_session
from tests.conftest import tiny_mle_config


def test_steps_lower_the_nll_of_a_fixed_batch_and_clip_the_gradients():
    cfg = tiny_mle_config()
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    batch = data.tokens[:32]
    before = text.nll_loss(s.nets["G"], batch).item()
    for _ in range(30):
        advance(s, data)
    assert text.nll_loss(s.nets["G"], batch).item() < before - 0.5
    cfg.options.grad_clip = 1e-6  # a step can then move no weight by more than lr
    s = start_session(cfg, data, "cpu")
    w = s.nets["G"].head.weight.detach().clone()
    mle.train_step(s.parts, data, s.t)
    assert (s.nets["G"].head.weight - w).abs().max() <= 0.011


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return api.train(tiny_mle_config(steps=20, checkpoint_every=10), out=tmp_path_factory.mktemp("mle"))


def test_samples_are_sentences_in_a_txt_or_ids_in_an_npz(run, tmp_path, capsys):
    assert main(["sample", str(run), "--n", "5", "--out", str(tmp_path / "s.txt"), "--temperature", "0.5"]) == 0
    lines = (tmp_path / "s.txt").read_text().splitlines()
    vocab = api.load_run(run).spec.vocab
    assert len(lines) == 5 and all(word in vocab for line in lines for word in line.split())
    assert main(["sample", str(run), "--n", "5", "--out", str(tmp_path / "s.npz")]) == 0
    saved = np.load(tmp_path / "s.npz")
    assert saved["tokens"].shape == (5, 10) and tuple(saved["vocab"]) == vocab
    a, b = api.sample(run, 8, seed=1, temperature=0.7), api.sample(run, 8, seed=1, temperature=0.7)
    assert torch.equal(a, b) and not torch.equal(a, api.sample(run, 8, seed=1, temperature=2.0))
    assert main(["sample", str(run), "--temperature", "hot"]) == 2
    assert "--temperature hot is not a number" in capsys.readouterr().err


def test_training_prints_its_last_samples_and_eval_scores_real_text(tmp_path, capsys):
    assert main(["train", "mle_text", "--out", str(tmp_path), "--set", f"data.path={tiny_mle_config().data.path}",
                 "data.max_length=10", "model.hidden_dim=16", "train.steps=4", "train.eval_every=2",
                 "train.eval_n=50", "train.progress=false", "train.sample_every=2", "train.checkpoint_every=2"]) == 0
    out = capsys.readouterr()
    run_dir = next(tmp_path.iterdir())
    assert "samples/step-000004.txt" in out.out and "data: 117 sentences (3 longer than 10 tokens dropped)" in out.err
    assert out.out.count("\n  ") >= 1  # the sentences themselves, indented
    assert main(["eval", str(run_dir), "--n", "40"]) == 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"nll_test", "bleu2", "bleu5", "self_bleu2", "distinct1", "copied"} <= set(metrics)
    assert 0 <= metrics["bleu5"] <= metrics["bleu2"] <= 1 and metrics["nll_test"] > 0
