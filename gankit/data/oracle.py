"""SeqGAN's synthetic benchmark (Yu et al. 2017): an oracle LSTM as the true distribution of token sequences.

The oracle (embedding 32, hidden 32, vocabulary 5000, length 20, every parameter N(0, 1)) is made from a
fixed seed, so it is the same on every machine and in every run; it generates 10,000 training sequences and a
separate held-out set of 10,000 (data.split=test) that no family trains on. Its exact NLL of any sequence is
what NLL-oracle measures; its NLL of its own samples is its entropy, the floor below which a model is sharper
than the data rather than better.
"""

from __future__ import annotations

import torch
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.data.cache import cache_dir
from gankit.data.tokens import TokenDataset
from gankit.models.lstm import LSTMGenerator

VOCAB, LENGTH, EMBED, HIDDEN = 5000, 20, 32, 32
ORACLE_SEED = 0x5E9  # the oracle's weights; its two sample sets come from their own seeds
SPLIT_SEEDS = {"train": 1, "test": 2}
SEQUENCES = 10_000


def make_oracle() -> LSTMGenerator:
    """The oracle LSTM, every parameter N(0, 1) from ORACLE_SEED, in eval mode."""
    gen = torch.Generator().manual_seed(ORACLE_SEED)
    oracle = LSTMGenerator(VOCAB, LENGTH, EMBED, HIDDEN, init_std=None)
    with torch.no_grad():
        for p in oracle.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    return oracle.eval().requires_grad_(False)


_CACHE: dict[str, torch.Tensor] = {}


def oracle_sequences(split: str) -> torch.Tensor:
    """The 10,000 sequences (N, 20) of a split, drawn from the oracle by the split's own seed (seconds on a
    CPU), cached in memory and in gankit's cache folder; a damaged cache file is drawn again."""
    if split in _CACHE:
        return _CACHE[split]
    path = cache_dir() / f"oracle-v1-{ORACLE_SEED}-{split}.safetensors"
    tokens = None
    if path.is_file():
        try:
            tokens = load_file(str(path))["tokens"]
        except Exception:  # damaged: never trusted
            tokens = None
    if tokens is None or tokens.shape != (SEQUENCES, LENGTH):
        tokens = make_oracle().sample(SEQUENCES, torch.Generator().manual_seed(SPLIT_SEEDS[split]))
        atomic_write(path, lambda f: f.write(save({"tokens": tokens.contiguous()})))
    _CACHE[split] = tokens
    return tokens


@torch.no_grad()
def oracle_nll(oracle: LSTMGenerator, tokens: torch.Tensor, chunk: int = 2000) -> float:
    """The oracle's mean negative log-likelihood per token (nats) of sequences (N, 20)."""
    device = next(oracle.parameters()).device
    total = sum(-oracle.log_prob(part.to(device)).sum().item() for part in tokens.split(chunk))
    return total / tokens.numel()


def load_oracle(cfg) -> TokenDataset:
    """data.name=oracle: the training (or, with data.split=test, the held-out) sequences and the oracle."""
    tokens = oracle_sequences(cfg.split)
    if cfg.limit is not None:
        tokens = tokens[: cfg.limit]
    vocab = tuple(str(i) for i in range(VOCAB))
    return TokenDataset(tokens.clone(), vocab, "oracle", oracle=make_oracle())
