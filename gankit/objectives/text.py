"""What the text families (mle, seqgan, gumbel) share: their generator, inputs, writers, progress text and
evaluation.

Samples are token sequences (n, L). Sampling is made a function of its inputs: `inputs` draws one uniform
number per token, and `generate` turns them into tokens by the inverse CDF of G's next-token distribution
at the inputs' temperature. `gankit sample --out x.txt` writes one decoded sentence a line, `.npz` the ids.
On the oracle a run is scored by NLL-oracle (the oracle's NLL of G's samples: quality) and NLL-test (G's NLL
of the held-out oracle sequences: diversity), with the oracle's own entropy beside them; on real text by
NLL-test, BLEU-2..5 against the test sentences, Self-BLEU-2..5, distinct n-grams and the share of samples
copied from the training set. Evaluation never trains and never reads the training split but for the copies.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch
import torch.nn.functional as F

from gankit.data import load_dataset
from gankit.data.oracle import make_oracle, oracle_nll
from gankit.data.tokens import PAD, decode
from gankit.errors import GankitError
from gankit.data.cache import cache_dir
from gankit.metrics.lm_score import lm_scores
from gankit.metrics.text import bleu, copied_share, distinct_ngrams, self_bleu
from gankit.models.lstm import build_lstm_generator
from gankit.models.translation import network_names
from gankit.objectives.parts import Argument, Evaluation, Family, always_graphable

ORACLE = "oracle"
PREVIEW_LINES = 16
BLEU_HYPOTHESES = 2000  # BLEU and Self-BLEU read at most this many samples (each against every reference)
TEXT_DATA = (("tokens",), "token sequences (oracle, wordnet, or text with your own sentences)")


def generator_and_oracle(cfg, spec) -> dict:
    """G for the data's vocabulary and length; on the oracle benchmark also the oracle itself (never trained,
    saved with the run)."""
    generator = network_names(cfg.model)[0]
    if generator != "lstm":
        raise GankitError(f"objective={cfg.objective} trains an LSTM generator, and model.name / model.generator "
                          f"is {generator}; set model.name=lstm.")
    nets = {"G": build_lstm_generator(cfg.model, len(spec.vocab), spec.shape[0])}
    if cfg.data.name == ORACLE:
        nets["oracle"] = make_oracle()
    return nets


def probe_uniforms(cfg, length: int) -> torch.Tensor:
    """The fixed uniform numbers (n_samples, L) of the progress samples."""
    return torch.rand((cfg.train.n_samples, length), generator=torch.Generator().manual_seed(cfg.train.seed * 3 + 3))


def nll_loss(G, tokens: torch.Tensor) -> torch.Tensor:
    """Teacher-forced cross-entropy per token (maximum likelihood), in float32."""
    logits = G(tokens).float()  # (B, L, V)
    return F.cross_entropy(logits.flatten(0, 1), tokens.flatten())


def mle_step(parts, data, t) -> dict:
    """One maximum-likelihood update of G on a batch of real sequences, its gradients clipped to the family's
    grad_clip (every text family's MLE phase)."""
    tokens, _ = t.batch(data, parts.cfg.train.batch_size)  # (B, L)
    with t.autocast():
        loss = nll_loss(parts.nets["G"], tokens)
    t.update("G", loss, max_norm=parts.cfg.options.grad_clip)
    return {"nll": loss.detach()}


def inputs(parts, n: int | None, generator: torch.Generator, temperature: float | str | None = None) -> dict:
    """One uniform number per token of n samples (default 64) and the temperature (default 1)."""
    temperature = 1.0 if temperature is None else _temperature(temperature)
    n = n or 64
    return {"u": torch.rand((n, parts.spec.shape[0]), generator=generator), "temperature": temperature}


def _temperature(value) -> float:
    try:
        value = float(value)
    except ValueError:
        raise GankitError(f"--temperature {value} is not a number; give one above 0, e.g. 0.8.") from None
    if not 0 < value < float("inf"):
        raise GankitError(f"--temperature {value} must be above 0 (1: the model's own distribution).")
    return value


@torch.no_grad()
def generate(parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Token sequences (n, L) of the sampling net for the inputs' uniform numbers and temperature, on the CPU."""
    G = parts.sampling_net()
    was = G.training
    G.eval()
    try:
        return torch.cat([G.sample(len(u), temperature=inputs.get("temperature", 1.0), uniforms=u).cpu()
                          for u in inputs["u"].split(chunk)])
    finally:
        G.train(was)


def sentences(parts, tokens: torch.Tensor) -> list[str]:
    """Decoded sentences of token sequences, with the run's own vocabulary."""
    return decode(tokens.cpu(), parts.spec.vocab, parts.spec.separator)


def preview(parts, data) -> dict:
    """The sentences of the probe inputs."""
    tokens = generate(parts, {"u": parts.buffers["probe_u"].cpu(), "temperature": 1.0})
    return {"kind": "text", "lines": sentences(parts, tokens)[:PREVIEW_LINES]}


def draw(stem, preview: dict, data):
    """The progress samples as stem.txt, one sentence a line."""
    path = stem.with_suffix(".txt")
    path.write_text("".join(line + "\n" for line in preview["lines"]), encoding="utf-8")
    return path


def write_txt(path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """One decoded sentence a line (UTF-8); never overwrites."""
    with open(path, "x", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in sentences(parts, samples)))


def write_npz(path, samples: torch.Tensor, inputs: dict, parts) -> None:
    """`tokens` (int64 N x L) and `vocab` (the strings the ids stand for); never overwrites."""
    with open(path, "xb") as f:
        np.savez_compressed(f, tokens=samples.numpy(), vocab=np.array(parts.spec.vocab))


WRITERS = {".txt": write_txt, ".npz": write_npz}
TEMPERATURE = Argument("temperature", ("sample",), "text runs: sample from softmax(logits / T) (default 1)",
                       metavar="T")


# Evaluation ---------------------------------------------------------------------------------------------

def _groups(cfg, spec) -> dict:
    if cfg.data.name == ORACLE:
        return {"nll": ("nll_oracle", "nll_test")}
    return {"nll": ("nll_test",), "bleu": ("bleu2", "bleu3", "bleu4", "bleu5"),
            "self_bleu": ("self_bleu2", "self_bleu3", "self_bleu4", "self_bleu5"),
            "distinct": ("distinct1", "distinct2", "distinct3", "distinct4"), "copies": ("copied",),
            "lm": ("lm_score", "reverse_lm_score")}


def _defaults(cfg, spec) -> tuple[str, ...]:
    """Every group but the LM scores, which train two language models (minutes): those when asked."""
    return tuple(g for g in _groups(cfg, spec) if g != "lm")


def through_first_pad(tokens: torch.Tensor, pad: int) -> torch.Tensor:
    """The positions (B, L) of each sequence's words and its first pad (its end), as a bool mask."""
    ended = (tokens == pad).long().cumsum(1)
    return (ended == 0) | ((ended == 1) & (tokens == pad))


@torch.no_grad()
def masked_nll(G, tokens: torch.Tensor, pad: int | None, chunk: int = 1000, temperature: float = 1.0) -> float:
    """G's mean NLL per token of sequences (nats) under softmax(logits / temperature); with a pad id, only up to
    and including each first pad."""
    device = next(G.parameters()).device
    was = G.training
    G.eval()
    total = count = 0.0
    try:
        for part in tokens.split(chunk):
            part = part.to(device)
            logp = F.log_softmax(G(part).float() / temperature, dim=-1).gather(2, part[..., None])[..., 0]  # (B, L)
            if pad is not None:
                keep = through_first_pad(part, pad)
                logp = logp * keep
                count += keep.sum().item()
            else:
                count += logp.numel()
            total += -logp.sum().item()
    finally:
        G.train(was)
    return total / count


def prepare(parts, request):
    """score(): the request's groups on n samples drawn from seed; the test split is read once."""
    cfg, spec, names = parts.cfg, parts.spec, set(request.groups)
    test = load_dataset(dataclasses.replace(cfg.data, split="test", limit=None)).tokens
    pad = spec.vocab.index(PAD) if PAD in spec.vocab else None
    oracle = parts.nets.get("oracle")
    wants_train = names & {"copies", "lm"}
    train = load_dataset(dataclasses.replace(cfg.data, split="train", limit=None)).tokens if wants_train else None
    entropy = oracle_nll(oracle, test) if oracle is not None else None  # the oracle's NLL of its own samples

    def score() -> dict:
        fake = generate(parts, inputs(parts, request.n, torch.Generator().manual_seed(request.seed)))
        out: dict = {"n": len(fake)}
        if "nll" in names:
            if oracle is not None:
                out["nll_oracle"] = oracle_nll(oracle, fake)
                out["oracle_entropy"] = entropy
            out["nll_test"] = masked_nll(parts.sampling_net(), test, pad)
        return out | sentence_scores(fake, names, test, train, pad, len(spec.vocab), request.seed)
    return score


def sentence_scores(fake: torch.Tensor, groups, test: torch.Tensor, train: torch.Tensor | None, pad: int | None,
                    vocab_size: int, seed: int = 0) -> dict:
    """The sentence metrics of the groups asked (bleu, self_bleu, distinct, copies, lm) for token sequences fake
    against the test sentences (and the training ones, for copies and the LM score)."""
    words = [_words(row, pad) for row in fake.tolist()]
    out: dict = {}
    if groups & {"bleu", "self_bleu"}:
        hyps = words[:BLEU_HYPOTHESES]
        out["bleu_hypotheses"] = len(hyps)
        if "bleu" in groups:
            out |= bleu(hyps, [_words(row, pad) for row in test.tolist()])
        if "self_bleu" in groups:
            out |= self_bleu(hyps)
    if "distinct" in groups:
        out |= distinct_ngrams(words)
    if "copies" in groups:
        out["copied"] = copied_share(words, [_words(row, pad) for row in train.tolist()])
    if "lm" in groups:
        out |= lm_scores(fake, train, test, vocab_size, lambda lm, x: masked_nll(lm, x, pad), seed, cache_dir())
    return out


def _words(row: list[int], pad: int | None) -> list[int]:
    """A sequence's token ids up to its first pad."""
    return row[: row.index(pad)] if pad is not None and pad in row else row


EVALUATION = Evaluation(groups=_groups,
                        defaults=_defaults,
                        best=lambda cfg, spec: "nll_oracle" if cfg.data.name == ORACLE else "nll_test",
                        lower_is_better=frozenset({"nll_oracle", "nll_test", "lm_score", "reverse_lm_score"} |
                                                  {f"self_bleu{n}" for n in (2, 3, 4, 5)} | {"copied"}),
                        prepare=prepare)


def export(parts):
    """Text runs have no single network call to export: said in one sentence."""
    raise GankitError(f"an objective={parts.cfg.objective} run samples token by token in a Python loop (each token "
                      "fed back into the LSTM), which is no single network call for ONNX or TorchScript; export it "
                      "with --format safetensors and load it with gankit.load_generator(PATH), whose .sample(n) "
                      "draws sentences.")


def text_family(build, train_step, options, headline: tuple, graphable=always_graphable) -> Family:
    """A text family: its own build, step, options and headline; sampling, writers, pictures and evaluation
    as this module has them."""
    return Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                  evaluation=EVALUATION, writers=WRITERS, data=TEXT_DATA, draw=draw, options=options,
                  arguments=(TEMPERATURE,), graphable=graphable, headline=headline, export=export)
