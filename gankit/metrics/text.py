"""Metrics of generated sentences: BLEU against real ones (quality), Self-BLEU among the samples (its
diversity counterpart), distinct n-grams, and the share of samples copied from the training set.

BLEU-n is the mean over hypotheses of sentence BLEU with uniform weights over 1..n-grams, every reference
sentence a reference, and the smoothing of Texygen's implementation (nltk's SmoothingFunction().method1:
a zero n-gram match count becomes 0.1). It equals nltk's sentence_bleu, which takes a second per
hypothesis against 40,000 references; here the references' clipping counts and lengths are tabled once.
Self-BLEU-n scores each sample against all the other samples.
"""

from __future__ import annotations

import math
from collections import Counter

EPSILON = 0.1  # method1's smoothing of a zero match count


def ngram_counts(tokens: list, n: int) -> Counter:
    """The n-grams of a token list and how often each occurs."""
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


class References:
    """Reference sentences tabled for BLEU: per n, each n-gram's largest count in any reference (and the
    runner-up with its owner, so that one sentence can be left out, as Self-BLEU needs), and their lengths."""

    def __init__(self, sentences: list[list], max_n: int = 5):
        self.max_n = max_n
        self.best: list[dict] = [{} for _ in range(max_n + 1)]  # n -> ngram -> [best, second, owner]
        self.lengths = Counter(len(s) for s in sentences)
        for owner, sentence in enumerate(sentences):
            for n in range(1, max_n + 1):
                table = self.best[n]
                for gram, c in ngram_counts(sentence, n).items():
                    entry = table.get(gram)
                    if entry is None:
                        table[gram] = [c, 0, owner]
                    elif c > entry[0]:
                        entry[1], entry[0], entry[2] = entry[0], c, owner
                    elif c > entry[1]:
                        entry[1] = c

    def _max_count(self, n: int, gram: tuple, leave_out: int | None) -> int:
        entry = self.best[n].get(gram)
        if entry is None:
            return 0
        return entry[1] if entry[2] == leave_out else entry[0]

    def _closest_length(self, hyp_len: int, leave_out_len: int | None) -> int:
        lengths = [r for r, c in self.lengths.items() if c - (r == leave_out_len) > 0]
        return min(lengths, key=lambda r: (abs(r - hyp_len), r))

    def sentence_bleu(self, hypothesis: list, n: int, leave_out: int | None = None,
                      leave_out_len: int | None = None) -> float:
        """BLEU-n of one hypothesis (uniform weights, method1 smoothing), optionally without reference `leave_out`."""
        numerators, denominators = [], []
        for k in range(1, n + 1):
            counts = ngram_counts(hypothesis, k)
            numerators.append(sum(min(c, self._max_count(k, g, leave_out)) for g, c in counts.items()))
            denominators.append(max(1, sum(counts.values())))
        if numerators[0] == 0:
            return 0.0
        hyp_len = len(hypothesis)
        ref_len = self._closest_length(hyp_len, leave_out_len)
        bp = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
        logs = [math.log((num if num else EPSILON) / den) for num, den in zip(numerators, denominators)]
        return bp * math.exp(math.fsum(logs) / n)


def bleu(hypotheses: list[list], references: list[list], orders=(2, 3, 4, 5)) -> dict:
    """{"bleu2": ..., "bleu5": ...}: mean sentence BLEU-n of the hypotheses against all the references."""
    table = References(references, max(orders))
    empty = [h for h in hypotheses if h]
    return {f"bleu{n}": sum(table.sentence_bleu(h, n) for h in empty) / len(empty) if empty else 0.0
            for n in orders}


def self_bleu(samples: list[list], orders=(2, 3, 4, 5)) -> dict:
    """{"self_bleu2": ...}: mean BLEU-n of each sample against all the other samples (high: samples alike)."""
    table = References(samples, max(orders))
    scored = [i for i, s in enumerate(samples) if s]
    out = {}
    for n in orders:
        total = sum(table.sentence_bleu(samples[i], n, leave_out=i, leave_out_len=len(samples[i])) for i in scored)
        out[f"self_bleu{n}"] = total / len(scored) if len(samples) > 1 and scored else 0.0
    return out


def distinct_ngrams(samples: list[list], orders=(1, 2, 3, 4)) -> dict:
    """{"distinct1": ...}: distinct n-grams over all n-grams of the samples (1: no n-gram repeats)."""
    out = {}
    for n in orders:
        grams = [g for s in samples for g in ngram_counts(s, n).elements()]
        out[f"distinct{n}"] = len(set(grams)) / len(grams) if grams else 0.0
    return out


def copied_share(samples: list[list], training: list[list]) -> float:
    """The share of samples that are a training sentence verbatim."""
    seen = {tuple(s) for s in training}
    return sum(tuple(s) in seen for s in samples) / len(samples) if samples else 0.0
