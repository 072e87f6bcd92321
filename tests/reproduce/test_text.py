"""`gankit reproduce text` on a tiny budget: every model scored at every temperature on WordNet's sentences, the
unigram and real reference points, the claims, the samples and the two quality-diversity planes."""

import json
import math

import pytest
import torch

from gankit.data.text import WORDNET_DIR
from gankit.reproduce import reproduce
from gankit.reproduce.text import unigram_samples
from gankit.reproduce.text_report import MODELS, against_curve
from tests.reproduce.tables import assert_tables_render

needs_wordnet = pytest.mark.skipif(not (WORDNET_DIR / "data.noun").is_file(),
                                   reason="needs Debian's wordnet-base (make data)")


@needs_wordnet
def test_text_tiny_sweeps_every_model_and_writes_the_planes(tmp_path):
    report = reproduce("text", out=tmp_path, scale="tiny")
    out = report.out_dir
    kept = {p.name for p in (out / "progress").iterdir()}  # each training's checkpoint, for --resume
    assert kept >= {"gumbel-seed0", "mle-seed0", "seqgan-seed0"}, kept
    for name in ("report.md", "results.json", "quality_diversity.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    results = json.loads((out / "results.json").read_text())["results"]
    for model in MODELS + ("unigram", "real"):
        for key in ("bleu3", "bleu5", "self_bleu5", "lm_score", "reverse_lm_score", "copied"):
            assert math.isfinite(results[f"{key}.{model}"]), (key, model)
    for model in MODELS:
        curve = results["curves"][model]["0"]
        assert [p["temperature"] for p in curve] == [0.7, 1.0, 1.5]
        assert len(results["samples"][model]["0"]) == 8 and all(isinstance(s, str) for s in results["samples"][model]["0"])
    # colder samples are likelier under the real-text LM and more alike: LM score and Self-BLEU fall as T rises
    mle = results["curves"]["mle"]["0"]
    assert mle[0]["lm_score"] < mle[1]["lm_score"] < mle[2]["lm_score"]
    assert mle[0]["self_bleu5"] > mle[2]["self_bleu5"]
    assert results["copied.real"] == 1.0  # real training sentences are copies by construction
    assert results["bleu3.real"] > results["bleu3.unigram"]
    text = (out / "report.md").read_text()
    assert assert_tables_render(text) >= 3
    assert "Samples of MLE" in text and "Samples of unigram model" in text


def test_unigram_samples_draw_each_token_by_its_frequency_up_to_the_end():
    pad = 0
    train = torch.tensor([[1, 2, pad, pad], [1, pad, pad, pad], [3, 3, 3, 3]])  # the last never ends
    x = unigram_samples(train, pad, 20_000, torch.Generator().manual_seed(0))
    assert x.shape == (20_000, 4)
    ended = (x == pad).long().cumsum(1) > 0
    assert bool((x[ended] == pad).all())  # nothing after an end
    # counted tokens: 1, 2, end | 1, end | 3, 3, 3, 3 -> 1: 2/9, 2: 1/9, 3: 4/9, end: 2/9
    first = torch.bincount(x[:, 0], minlength=4).double() / len(x)
    assert torch.allclose(first, torch.tensor([2, 2, 1, 4], dtype=torch.double) / 9, atol=0.01)


def test_a_point_is_placed_against_a_curve_at_its_own_quality():
    curve = [{"bleu5": 0.1, "self_bleu5": 0.1}, {"bleu5": 0.3, "self_bleu5": 0.5}]
    assert against_curve({"bleu5": 0.2, "self_bleu5": 0.2}, curve, "bleu") == pytest.approx(0.1)  # more diverse
    assert against_curve({"bleu5": 0.2, "self_bleu5": 0.4}, curve, "bleu") == pytest.approx(-0.1)  # less
    assert against_curve({"bleu5": 0.5, "self_bleu5": 0.2}, curve, "bleu") is None  # outside the sweep
    lm = [{"lm_score": 3.0, "reverse_lm_score": 6.0}, {"lm_score": 5.0, "reverse_lm_score": 4.0}]
    assert against_curve({"lm_score": 4.0, "reverse_lm_score": 4.5}, lm, "lm") == pytest.approx(0.5)
