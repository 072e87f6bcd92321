"""Token sequences: `<pad>` ends a sentence, rare tokens are `<unk>`, batches are drawn from a generator."""

import pytest
import torch

from gankit.data.tokens import PAD, UNK, TokenDataset, build_vocab, decode, encode
from gankit.errors import GankitError


def test_the_vocabulary_keeps_pad_unk_and_the_most_frequent_tokens():
    vocab = build_vocab([["a", "b", "a"], ["c", "a", "b"]], size=4, source="x")
    assert vocab == (PAD, UNK, "a", "b")
    with pytest.raises(GankitError, match="x has a vocabulary of 1 token; .* at least two"):
        build_vocab([["a", "a"]], 10, "x")


def test_encoding_pads_and_marks_the_unknown_and_decoding_stops_at_the_first_pad():
    vocab = (PAD, UNK, "a", "b")
    tokens, unknown = encode([["a", "z", "b"], ["b"]], vocab, 4)
    assert tokens.tolist() == [[2, 1, 3, 0], [3, 0, 0, 0]] and unknown == 1
    assert decode(tokens, vocab) == ["a <unk> b", "b"]
    assert decode(torch.tensor([[2, 3]]), ("x", "y", "a", "b"), separator="") == ["ab"]  # no pad: every token


def test_batches_are_a_function_of_the_generator():
    data = TokenDataset(torch.arange(20).view(10, 2), tuple(map(str, range(20))), "t")
    a, _ = data.sample(4, torch.Generator().manual_seed(0))
    b, labels = data.sample(4, torch.Generator().manual_seed(0))
    assert torch.equal(a, b) and labels is None and data.shape == (2,) and len(data) == 10
    with pytest.raises(ValueError, match="int64"):
        TokenDataset(torch.zeros(2, 2), ("a",), "t")
