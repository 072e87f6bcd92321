"""Token sequences: sentences (or oracle sequences) as int64 ids of one fixed length, held in memory.

Index 0 is `<pad>`: it ends a sentence and fills the rest of its row, so a sentence shorter than the
length is its tokens, then pads; a generator learns to emit `<pad>` where a sentence ends. Index 1 is
`<unk>` for real text: the tokens rarer than the vocabulary keeps. The oracle's vocabulary has neither (its
5000 tokens are all words, every sequence full length).
"""

from __future__ import annotations

from collections import Counter

import torch

from gankit.errors import GankitError

PAD, UNK = "<pad>", "<unk>"


class TokenDataset:
    """Sequences (N, L) of token ids and the vocabulary that decodes them."""

    kind = "tokens"
    num_classes = 0
    class_names: tuple[str, ...] = ()
    multi_label = False

    def __init__(self, tokens: torch.Tensor, vocab: tuple[str, ...], name: str, separator: str = " ",
                 oracle=None, note: str = ""):
        if tokens.dtype != torch.int64 or tokens.dim() != 2:
            raise ValueError(f"tokens must be int64 (N, L), got {tokens.dtype} {tuple(tokens.shape)}")
        self.tokens, self.vocab, self.name, self.separator = tokens, tuple(vocab), name, separator
        self.oracle = oracle  # the oracle LSTM that generated the sequences (data.name=oracle), else None
        self.note = note      # what loading did to the text (sentences dropped, tokens made <unk>)

    @property
    def shape(self) -> tuple[int]:
        """The length L of every sequence."""
        return (self.tokens.shape[1],)

    def __len__(self) -> int:
        return self.tokens.shape[0]

    def __repr__(self) -> str:
        return f"TokenDataset({self.name!r}, n={len(self)}, length={self.shape[0]}, vocabulary={len(self.vocab)})"

    @property
    def device(self) -> torch.device:
        """Where the sequences are held."""
        return self.tokens.device

    def to(self, device) -> "TokenDataset":
        """The same sequences held on `device`."""
        return TokenDataset(self.tokens.to(device), self.vocab, self.name, self.separator, self.oracle, self.note)

    def sample(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, None]:
        """A random batch (B, L) of sequences, drawn with replacement where the data are held; no labels."""
        idx = torch.randint(len(self), (batch_size,), generator=generator, device=self.tokens.device)
        return self.tokens[idx], None

    def decode(self, tokens: torch.Tensor) -> list[str]:
        """Sentences of rows of token ids (up to the first `<pad>`)."""
        return decode(tokens, self.vocab, self.separator)


def decode(tokens: torch.Tensor, vocab: tuple[str, ...], separator: str = " ") -> list[str]:
    """Each row of token ids as text: its tokens up to the first `<pad>`, joined by the separator."""
    pad = vocab.index(PAD) if PAD in vocab else None
    out = []
    for row in tokens.tolist():
        words = []
        for i in row:
            if i == pad:
                break
            words.append(vocab[i])
        out.append(separator.join(words))
    return out


def build_vocab(sentences: list[list[str]], size: int, source: str) -> tuple[str, ...]:
    """`<pad>`, `<unk>`, then the size - 2 most frequent tokens (ties by first appearance)."""
    counts = Counter(token for sentence in sentences for token in sentence)
    if len(counts) < 2:
        raise GankitError(f"{source} has a vocabulary of {len(counts)} token{'s' if len(counts) != 1 else ''}; a "
                          "language model needs at least two: give more varied text (or data.tokenizer=char).")
    return (PAD, UNK) + tuple(token for token, _ in counts.most_common(max(0, size - 2)))


def encode(sentences: list[list[str]], vocab: tuple[str, ...], length: int) -> tuple[torch.Tensor, int]:
    """Sentences as (N, length) ids, `<pad>`-filled, rare tokens as `<unk>`; and how many tokens became `<unk>`."""
    index = {token: i for i, token in enumerate(vocab)}
    unk = index[UNK]
    rows, unknown = [], 0
    for sentence in sentences:
        ids = [index.get(token, unk) for token in sentence]
        unknown += sum(i == unk for i in ids)
        rows.append(ids + [index[PAD]] * (length - len(ids)))
    return torch.tensor(rows, dtype=torch.int64).view(len(rows), length), unknown
