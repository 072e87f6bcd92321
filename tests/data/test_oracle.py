"""SeqGAN's oracle: a fixed LSTM, its two sample sets, and its exact NLL checked against a direct computation."""

import math

import torch
import torch.nn.functional as F

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.data.oracle import LENGTH, VOCAB, make_oracle, oracle_nll, oracle_sequences


def test_the_oracle_is_the_same_every_time_and_its_weights_are_standard_normal():
    a, b = make_oracle(), make_oracle()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    weights = torch.cat([p.flatten() for p in a.parameters()])
    assert abs(weights.mean()) < 0.02 and abs(weights.std() - 1) < 0.02
    assert a.head.out_features == VOCAB and a.length == LENGTH


def test_train_and_held_out_sequences_are_fixed_and_different():
    train, test = oracle_sequences("train"), oracle_sequences("test")
    assert train.shape == test.shape == (10_000, 20) and not torch.equal(train, test)
    data = load_dataset(DataConfig(name="oracle", limit=5))
    assert torch.equal(data.tokens, train[:5]) and data.oracle is not None and len(data.vocab) == VOCAB


def test_oracle_nll_is_the_mean_token_nll_computed_step_by_step():
    oracle = make_oracle()
    x = oracle_sequences("test")[:3]
    total = 0.0
    with torch.no_grad():
        state, prev = None, torch.full((3, 1), VOCAB)  # the start token
        for t in range(LENGTH):
            h, state = oracle.lstm(oracle.embed(prev), state)
            logp = F.log_softmax(oracle.head(h[:, 0]), dim=-1)
            total -= logp[torch.arange(3), x[:, t]].sum().item()
            prev = x[:, t:t + 1]
    assert math.isclose(oracle_nll(oracle, x), total / x.numel(), rel_tol=1e-5)


def test_its_own_samples_are_likelier_than_random_sequences():
    oracle = make_oracle()
    own = oracle_nll(oracle, oracle_sequences("test")[:500])
    random = oracle_nll(oracle, torch.randint(VOCAB, (500, LENGTH), generator=torch.Generator().manual_seed(0)))
    assert own < math.log(VOCAB) < random  # the entropy (about 6.05 nats) below uniform's 8.52
