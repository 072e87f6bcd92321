"""LM and reverse-LM scores of generated sentences (Cífka et al. 2018; Caccia et al. 2020's protocol).

LM score: the NLL per token of the samples under a language model trained on the real training sentences
(low: the samples read like the data; quality). Reverse-LM score: the NLL per token of the real test
sentences under a language model trained on the samples (low: the samples cover the data; diversity). Both
models are gankit's LSTM, trained here by maximum likelihood for a fixed number of passes with a fixed
seed; the real one is cached by its data and settings. Evaluation never trains on the test sentences.
"""

from __future__ import annotations

import hashlib

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.models.lstm import LSTMGenerator

EPOCHS, BATCH, LR, CLIP, EMBED, HIDDEN = 3, 64, 1e-2, 5.0, 64, 128


def train_lm(tokens: torch.Tensor, vocab: int, seed: int = 0, epochs: float = EPOCHS) -> LSTMGenerator:
    """An LSTM language model fitted to sequences (N, L) by teacher forcing, in eval mode; the global RNG (a
    run's dropout draws from it) is left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return _fit(tokens, vocab, seed, epochs)


def _fit(tokens: torch.Tensor, vocab: int, seed: int, epochs: float) -> LSTMGenerator:
    gen = torch.Generator().manual_seed(seed)
    lm = LSTMGenerator(vocab, tokens.shape[1], EMBED, HIDDEN)
    opt = torch.optim.Adam(lm.parameters(), lr=LR)
    for _ in range(max(1, round(epochs * len(tokens) / BATCH))):
        batch = tokens[torch.randint(len(tokens), (BATCH,), generator=gen)]
        loss = F.cross_entropy(lm(batch).flatten(0, 1), batch.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(lm.parameters(), CLIP)
        opt.step()
    return lm.eval().requires_grad_(False)


def real_lm(train: torch.Tensor, vocab: int, cache_dir=None) -> LSTMGenerator:
    """The language model of the real training sentences, read from (or written to) cache_dir when given."""
    key = hashlib.sha256(train.numpy().tobytes() + f"{vocab}/{EPOCHS}/{BATCH}/{LR}/{EMBED}/{HIDDEN}".encode())
    path = cache_dir / f"lm-real-{key.hexdigest()[:20]}.safetensors" if cache_dir is not None else None
    with torch.random.fork_rng(devices=[]):  # the shell's initialisation must not move the run's global RNG
        lm = LSTMGenerator(vocab, train.shape[1], EMBED, HIDDEN)
    if path is not None and path.is_file():
        try:
            lm.load_state_dict(load_file(str(path)))
            return lm.eval().requires_grad_(False)
        except Exception:  # a damaged cache entry is retrained, never trusted
            pass
    lm = train_lm(train, vocab)
    if path is not None:
        atomic_write(path, lambda f: f.write(save({k: v.contiguous() for k, v in lm.state_dict().items()})))
    return lm


def lm_scores(samples: torch.Tensor, train: torch.Tensor, test: torch.Tensor, vocab: int, nll, seed: int = 0,
              cache_dir=None) -> dict:
    """{"lm_score", "reverse_lm_score"}: nll(model, sequences) -> mean NLL per token does the scoring."""
    forward = nll(real_lm(train, vocab, cache_dir), samples)
    reverse = nll(train_lm(samples, vocab, seed), test)
    return {"lm_score": forward, "reverse_lm_score": reverse}
