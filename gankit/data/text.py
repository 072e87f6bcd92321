"""Real sentences as token sequences: a user's UTF-8 text (data.name=text) and WordNet's example sentences
(data.name=wordnet, installed by `make data` from Debian's wordnet-base).

Each line is a sentence. data.tokenizer splits it into words (runs of letters, digits, apostrophes and
hyphens; each punctuation mark its own token) or characters; data.lowercase lower-cases it first. The
vocabulary is built on the training split alone: `<pad>`, `<unk>` and the data.vocab_size - 2 most frequent
tokens; rarer tokens become `<unk>` (the sentence is kept). Sentences longer than data.max_length tokens are
dropped, and blank lines skipped; the dataset's `note` says how many. Splits: a folder's train.txt and
test.txt; a single file (or a folder with train.txt alone, or WordNet) keeps every tenth sentence for the
test split, a fixed split that no family trains on.
"""

from __future__ import annotations

import re
from pathlib import Path

from gankit.data.tokens import TokenDataset, build_vocab, encode
from gankit.errors import GankitError

WORDS = re.compile(r"[\w'-]+|[^\w\s]")
WORDNET_DIR = Path("/usr/share/wordnet")
WORDNET_FILES = ("data.noun", "data.verb", "data.adj", "data.adv")
TEST_EVERY = 10  # the fixed split: sentence i is a test sentence when i % 10 == 9


def split_tokens(line: str, tokenizer: str, lowercase: bool) -> list[str]:
    """One sentence as words (punctuation apart) or characters."""
    line = line.strip()
    line = line.lower() if lowercase else line
    return WORDS.findall(line) if tokenizer == "word" else list(line)


def read_lines(path: Path) -> list[str]:
    """The non-blank lines of a UTF-8 file, or one sentence naming what is wrong."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GankitError(f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at position {exc.start}); "
                          "save it as UTF-8.") from None
    except OSError as exc:
        raise GankitError(f"cannot read {path} ({exc.strerror}); check data.path.") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise GankitError(f"{path} holds no sentences (it is empty or blank); give a file with one sentence a line.")
    return lines


def fixed_split(lines: list[str], split: str) -> list[str]:
    """Every tenth line for the test split, the others for training."""
    test = split == "test"
    return [line for i, line in enumerate(lines) if (i % TEST_EVERY == TEST_EVERY - 1) == test]


def text_splits(cfg) -> tuple[list[str], list[str], str]:
    """(training lines, lines of the asked split, where they came from) of data.path."""
    if cfg.path is None:
        raise GankitError("data.name=text needs a path; set data.path=<a UTF-8 text file, one sentence a line, or "
                          "a folder with train.txt (and test.txt)>.")
    path = Path(cfg.path).expanduser()
    if path.is_dir():
        if not (path / "train.txt").is_file():
            raise GankitError(f"{path} has no train.txt; give a folder with train.txt (and test.txt) or one text "
                              "file.")
        train = read_lines(path / "train.txt")
        if (path / "test.txt").is_file():
            return train, train if cfg.split == "train" else read_lines(path / "test.txt"), str(path)
        return fixed_split(train, "train"), fixed_split(train, cfg.split), str(path / "train.txt")
    if not path.is_file():
        raise GankitError(f"data.path {path} does not exist; give a UTF-8 text file or a folder with train.txt.")
    lines = read_lines(path)
    return fixed_split(lines, "train"), fixed_split(lines, cfg.split), str(path)


def sentences_dataset(train_lines: list[str], lines: list[str], cfg, name: str, source: str) -> TokenDataset:
    """Token sequences of `lines` under the vocabulary of `train_lines`, as the data config says."""
    tokenize = lambda ls: [split_tokens(line, cfg.tokenizer, cfg.lowercase) for line in ls]
    limit = cfg.max_length
    train = [s for s in tokenize(train_lines) if 0 < len(s) <= limit]
    if not train:
        raise GankitError(f"every sentence of {source} is longer than data.max_length={limit} tokens; raise "
                          "data.max_length or give shorter sentences.")
    vocab = build_vocab(train, cfg.vocab_size, source)
    asked = train if lines is train_lines else [s for s in tokenize(lines) if 0 < len(s) <= limit]
    if cfg.limit is not None:
        asked = asked[: cfg.limit]
    if not asked:
        raise GankitError(f"the {cfg.split} split of {source} holds no sentence of at most data.max_length={limit} "
                          "tokens; give it sentences or raise data.max_length.")
    tokens, unknown = encode(asked, vocab, limit)
    dropped = len(lines) - len(asked) if cfg.limit is None else 0
    note = (f"{len(asked)} sentences ({dropped} longer than {limit} tokens dropped), vocabulary {len(vocab)}, "
            f"{unknown} tokens <unk>")
    return TokenDataset(tokens, vocab, name, "" if cfg.tokenizer == "char" else " ", note=note)


def load_text(cfg) -> TokenDataset:
    """data.name=text: a user's sentences (a file, or a folder of train.txt / test.txt)."""
    train, lines, source = text_splits(cfg)
    return sentences_dataset(train, lines if cfg.split == "test" else train, cfg, "text", source)


def wordnet_sentences(folder: Path) -> list[str]:
    """The example sentences (in quotes in the glosses) of WordNet's data files, in file order, each once."""
    missing = [name for name in WORDNET_FILES if not (folder / name).is_file()]
    if missing:
        raise GankitError(f"WordNet is not installed ({folder / missing[0]} is missing); run `make data` (it "
                          "installs Debian's wordnet-base) or set data.path to a WordNet dict folder.")
    seen: dict[str, None] = {}
    for name in WORDNET_FILES:
        for line in (folder / name).read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):  # the licence header
                continue
            for sentence in re.findall(r'"([^"]+)"', line.partition(" | ")[2]):
                seen.setdefault(sentence.strip(), None)
    return [s for s in seen if s]


def load_wordnet(cfg) -> TokenDataset:
    """data.name=wordnet: about 48,000 short everyday sentences, a fixed tenth held out for testing."""
    lines = wordnet_sentences(Path(cfg.path).expanduser() if cfg.path else WORDNET_DIR)
    train = fixed_split(lines, "train")
    return sentences_dataset(train, train if cfg.split == "train" else fixed_split(lines, "test"), cfg, "wordnet",
                             "WordNet's example sentences")
