"""LM and reverse-LM scores: a language model of the real sentences rates the samples, and one of the samples
rates the real test sentences."""

import torch

from gankit.metrics.lm_score import lm_scores, real_lm, train_lm


def nll(lm, x):
    with torch.no_grad():
        return -lm.log_prob(x).mean().item()


def corpus(n, seed):
    """Sequences of a strict pattern: t, t+1, t+2, ... (mod 6)."""
    start = torch.randint(6, (n, 1), generator=torch.Generator().manual_seed(seed))
    return (start + torch.arange(5)) % 6


def test_samples_like_the_data_score_better_both_ways_than_noise(tmp_path):
    train, test = corpus(400, 0), corpus(100, 1)
    good = lm_scores(corpus(200, 2), train, test, 6, nll, cache_dir=tmp_path)
    noise = lm_scores(torch.randint(6, (200, 5), generator=torch.Generator().manual_seed(3)), train, test, 6, nll,
                      cache_dir=tmp_path)
    assert good["lm_score"] < noise["lm_score"] - 0.5
    assert good["reverse_lm_score"] < noise["reverse_lm_score"] - 0.5


def test_the_real_lm_is_cached_and_training_leaves_the_global_rng_alone(tmp_path):
    train = corpus(100, 0)
    state = torch.get_rng_state()
    a = real_lm(train, 6, tmp_path)
    assert torch.equal(torch.get_rng_state(), state)
    assert len(list(tmp_path.glob("lm-real-*.safetensors"))) == 1
    b = real_lm(train, 6, tmp_path)  # read back
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = train_lm(train, 6, seed=0)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))  # same seed, same model
