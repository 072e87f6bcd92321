"""Real sentences: a user's text file or folder and WordNet's examples, tokenized, split and checked."""


import pytest

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.data.text import WORDNET_DIR, split_tokens, wordnet_sentences
from gankit.errors import GankitError


def config(path, **kw):
    return DataConfig(name="text", path=str(path), **kw)


def test_words_keep_punctuation_apart_and_characters_are_each_a_token():
    assert split_tokens("Don't stop, World!", "word", True) == ["don't", "stop", ",", "world", "!"]
    assert split_tokens("Ab c", "char", False) == ["A", "b", " ", "c"]


def test_a_file_keeps_every_tenth_sentence_for_testing_and_drops_long_ones(tmp_path):
    lines = [f"sentence number {i} is here" for i in range(20)] + ["one two three four five six seven"]
    (tmp_path / "s.txt").write_text("\n".join(lines) + "\n\n")
    train = load_dataset(config(tmp_path / "s.txt", max_length=5))
    test = load_dataset(config(tmp_path / "s.txt", max_length=5, split="test"))
    assert (len(train), len(test)) == (18, 2)  # lines 9 and 19 tested; the 7-word one (line 20) dropped
    # 9 and 19 occur in the test split alone: the training split's vocabulary has no word for them.
    assert test.decode(test.tokens) == ["sentence number <unk> is here"] * 2
    assert "1 longer than 5 tokens dropped" in train.note
    assert test.vocab == train.vocab  # the training split's vocabulary decodes both


def test_a_folder_of_train_and_test_and_a_small_vocabulary(tmp_path):
    (tmp_path / "train.txt").write_text("a b c\na b\na\n")
    (tmp_path / "test.txt").write_text("a d\n")
    test = load_dataset(config(tmp_path, split="test", vocab_size=3))
    assert test.vocab == ("<pad>", "<unk>", "a") and test.decode(test.tokens) == ["a <unk>"]
    chars = load_dataset(config(tmp_path, tokenizer="char"))
    assert chars.separator == "" and chars.decode(chars.tokens)[0] == "a b c"


@pytest.mark.parametrize("content, words", [
    (b"", "holds no sentences"),
    (b"\n  \n", "holds no sentences"),
    (b"caf\xe9\n", r"is not UTF-8 text \(byte 0xe9 at position 3\)"),
    (b"one two three four\n" * 3, "every sentence of .* is longer than data.max_length=2 tokens"),
    (b"same same\n" * 12, "has a vocabulary of 1 token"),
])
def test_bad_text_is_one_sentence(tmp_path, content, words):
    (tmp_path / "t.txt").write_bytes(content)
    with pytest.raises(GankitError, match=words):
        load_dataset(config(tmp_path / "t.txt", max_length=2 if b"four" in content else 20))


def test_missing_text_and_missing_wordnet_say_what_to_do(tmp_path):
    with pytest.raises(GankitError, match="needs a path"):
        load_dataset(DataConfig(name="text"))
    with pytest.raises(GankitError, match="has no train.txt"):
        load_dataset(config(tmp_path))
    with pytest.raises(GankitError, match="WordNet is not installed .*run `make data`"):
        load_dataset(DataConfig(name="wordnet", path=str(tmp_path)))


def test_wordnet_examples_come_from_the_quoted_parts_of_the_glosses(tmp_path):
    for name in ("data.noun", "data.verb", "data.adj", "data.adv"):
        (tmp_path / name).write_text('  1 licence "not this"\n'
                                     f'00001 03 n 01 x 0 000 | a gloss; "the {name[5:]} one"; "shared"\n')
    assert wordnet_sentences(tmp_path) == ["the noun one", "shared", "the verb one", "the adj one", "the adv one"]


@pytest.mark.skipif(not (WORDNET_DIR / "data.noun").is_file(), reason="needs Debian's wordnet-base (make data)")
def test_the_installed_wordnet_gives_tens_of_thousands_of_short_sentences():
    train, test = (load_dataset(DataConfig(name="wordnet", split=s)) for s in ("train", "test"))
    assert len(train) > 40_000 and 4_000 < len(test) < 6_000 and len(train.vocab) == 5000
    assert not {tuple(r) for r in test.tokens[:200].tolist()} <= {tuple(r) for r in train.tokens.tolist()}
