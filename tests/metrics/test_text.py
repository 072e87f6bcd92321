"""BLEU, Self-BLEU, distinct n-grams and copies: hand-computed cases, and nltk's sentence_bleu where installed."""

import math
import random

import pytest

from gankit.metrics.text import References, bleu, copied_share, distinct_ngrams, self_bleu


def test_bleu_by_hand():
    refs = [["the", "cat", "sat"], ["a", "cat", "ran", "off"]]
    hyp = ["the", "cat", "ran"]
    # unigrams 3/3, bigrams: "the cat" (ref 1) matches, "cat ran" (ref 2) matches: 2/2; closest length 3: BP 1
    assert References(refs, 2).sentence_bleu(hyp, 2) == pytest.approx(1.0)
    # trigram: "the cat ran" is in no reference: 0 becomes 0.1 (method1), so BLEU-3 = (1 * 1 * 0.1)^(1/3)
    assert References(refs, 3).sentence_bleu(hyp, 3) == pytest.approx(0.1 ** (1 / 3))
    # a two-word hypothesis against a closest reference of 3 words: BP = exp(1 - 3/2)
    assert References(refs, 2).sentence_bleu(["the", "cat"], 2) == pytest.approx(math.exp(1 - 3 / 2))
    assert References(refs, 2).sentence_bleu(["dog"], 2) == 0.0  # no unigram matches


def test_self_bleu_leaves_each_sample_out():
    same = [["a", "b", "c"]] * 3
    assert self_bleu(same, (2,))["self_bleu2"] == pytest.approx(1.0)  # every other sample is the same
    lone = [["a", "b", "c"], ["x", "y", "z"]]
    assert self_bleu(lone, (2,))["self_bleu2"] == 0.0  # without itself, nothing matches


def test_bleu_and_self_bleu_equal_nltks():
    nltk_bleu = pytest.importorskip("nltk.translate.bleu_score")
    rng = random.Random(0)
    words = [str(i) for i in range(12)]
    refs = [[rng.choice(words) for _ in range(rng.randint(1, 9))] for _ in range(60)]
    hyps = [[rng.choice(words) for _ in range(rng.randint(1, 9))] for _ in range(30)]
    smooth = nltk_bleu.SmoothingFunction().method1
    for n in (2, 3, 4, 5):
        w = (1 / n,) * n
        theirs = sum(nltk_bleu.sentence_bleu(refs, h, w, smoothing_function=smooth) for h in hyps) / len(hyps)
        assert bleu(hyps, refs, (n,))[f"bleu{n}"] == pytest.approx(theirs, rel=1e-12)
        theirs = sum(nltk_bleu.sentence_bleu(hyps[:i] + hyps[i + 1:], hyps[i], w, smoothing_function=smooth)
                     for i in range(len(hyps))) / len(hyps)
        assert self_bleu(hyps, (n,))[f"self_bleu{n}"] == pytest.approx(theirs, rel=1e-12)


def test_distinct_ngrams_and_copies():
    samples = [["a", "b", "a"], ["a", "b"]]
    out = distinct_ngrams(samples, (1, 2))
    assert out == {"distinct1": 2 / 5, "distinct2": 2 / 3}  # a, b of five; "a b", "b a" of three bigrams
    assert copied_share(samples, [["a", "b"], ["c"]]) == 0.5
