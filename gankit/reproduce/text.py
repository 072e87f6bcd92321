"""Text GANs on real sentences (WordNet's examples, the role of the papers' COCO captions): MLE, SeqGAN and
the Gumbel-softmax GAN, each swept over its sampling temperature, on the quality-diversity plane of
Caccia et al. 2020 (BLEU-5 against Self-BLEU-5, LM score against reverse-LM score), with two reference
points: a unigram model (the floor every model must clear) and real training sentences (the ceiling).

MLE is mle_wordnet trained for this scale's steps. SeqGAN (seqgan_wordnet) and the Gumbel GAN
(gumbel_wordnet) start from that very MLE model's weights, as the papers start from a pretrained G, with a
fresh optimizer (SeqGAN's and RelGAN's code keep separate pretraining and adversarial optimizers), then
SeqGAN pretrains D and both run their adversarial steps. Every point reads `n` samples at temperature T
(softmax(logits / T)); NLL-test is G's NLL of the held-out sentences under that same distribution.
"""

from __future__ import annotations

import statistics
import time

import torch

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.data.tokens import PAD
from gankit.errors import GankitError
from gankit.objectives.text import masked_nll, sentence_scores, through_first_pad
from gankit.reproduce.progress import keeper
from gankit.reproduce.text_report import MODELS, write
from gankit.reproduce.translation_common import train

TITLE = "Text GANs on WordNet's sentences: MLE, SeqGAN and Gumbel over a temperature sweep (Caccia et al. 2020)"
REFERENCES = ("unigram", "real")  # a unigram model's samples, and real training sentences
GROUPS = frozenset({"bleu", "self_bleu", "distinct", "copies", "lm"})
SAMPLES_SHOWN = 8

SIZES = {
    "tiny": {"seeds": [0], "limit": 2000, "n_test": 300, "mle": 4, "d_pretrain": 2, "seqgan_adv": 2, "adv_d": 1,
             "rollouts": 2, "gumbel_adv": 2, "d_filters": 5, "n": 100, "temperatures": [0.7, 1.0, 1.5]},
    "default": {"seeds": [0], "limit": None, "n_test": None, "mle": 2000, "d_pretrain": 200, "seqgan_adv": 40,
                "adv_d": 5, "rollouts": 8, "gumbel_adv": 200, "d_filters": 25, "n": 2000,
                "temperatures": [0.5, 0.7, 0.85, 1.0, 1.2, 1.5]},
    "full": {"seeds": [0, 1, 2], "limit": None, "n_test": None, "mle": 3000, "d_pretrain": 300, "seqgan_adv": 100,
             "adv_d": 5, "rollouts": 8, "gumbel_adv": 300, "d_filters": 25, "n": 2000,
             "temperatures": [0.4, 0.5, 0.6, 0.7, 0.85, 1.0, 1.2, 1.5, 2.0]},
}
RECIPES = {"mle": "mle_wordnet", "seqgan": "seqgan_wordnet", "gumbel": "gumbel_wordnet"}


def overrides(model: str, size: dict, seed: int) -> list[str]:
    """The recipe's settings cut to this scale's budget; the GANs skip their own MLE phase (they start from
    the MLE model's weights)."""
    common = ["train.progress=false", f"train.seed={seed}", "train.eval_every=0"]
    if size["limit"]:
        common.append(f"data.limit={size['limit']}")
    if model == "mle":
        return common + [f"train.steps={size['mle']}"]
    if model == "seqgan":
        return common + [f"train.steps={size['d_pretrain'] + size['seqgan_adv']}", "seqgan.mle_steps=0",
                         f"seqgan.d_pretrain_steps={size['d_pretrain']}", f"seqgan.adv_d_steps={size['adv_d']}",
                         f"seqgan.rollouts={size['rollouts']}", f"model.d_filters={size['d_filters']}"]
    return common + [f"train.steps={size['gumbel_adv']}", "gumbel.mle_steps=0", "g_optim.lr_from=[0, 0.0001]",
                     f"model.d_filters={size['d_filters']}"]


def unigram_samples(train: torch.Tensor, pad: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """n sequences of a unigram model of the training sentences: every token (the end, a pad, among them)
    drawn independently by its frequency up to each sentence's end; everything after the first pad is pad."""
    kept = train[through_first_pad(train, pad)]  # each sentence's words and its end
    probs = torch.bincount(kept, minlength=int(train.max()) + 1).double()
    x = torch.multinomial(probs / probs.sum(), n * train.shape[1], replacement=True, generator=generator)
    x = x.view(n, train.shape[1])
    return x.masked_fill((x == pad).cumsum(1) > 0, pad)


def score(fake: torch.Tensor, refs: dict, seed: int) -> dict:
    """Every sentence metric of token sequences fake."""
    return sentence_scores(fake, GROUPS, refs["test"], refs["train"], refs["pad"], refs["vocab"], seed)


def sweep(G, refs: dict, size: dict, seed: int) -> list[dict]:
    """The metrics of G's samples and its NLL-test at each temperature of the sweep."""
    points = []
    for temperature in size["temperatures"]:
        G.eval()
        fake = G.sample(size["n"], torch.Generator().manual_seed(1000 + seed), temperature=temperature)
        points.append({"temperature": temperature, **score(fake, refs, seed),
                       "nll_test": masked_nll(G, refs["test"], refs["pad"], chunk=500, temperature=temperature)})
    return points


def samples_of(G, data, seed: int) -> list[str]:
    """A few of G's sentences at temperature 1."""
    G.eval()
    return data.decode(G.sample(SAMPLES_SHOWN, torch.Generator().manual_seed(2000 + seed)))


def run(report) -> None:
    """Train MLE, then SeqGAN and the Gumbel GAN from it, for every seed; sweep, score and write."""
    size, started = SIZES[report.scale], time.perf_counter()
    data = load_dataset(load_config(RECIPES["mle"], overrides("mle", size, 0)).data)
    test = load_dataset(load_config(RECIPES["mle"], overrides("mle", size, 0) + ["data.split=test",
                                                                                  "data.limit=null"]).data)
    if PAD not in data.vocab:
        raise GankitError("the WordNet data has no end-of-sentence token; it cannot be scored by sentence.")
    refs = {"test": test.tokens[: size["n_test"]], "train": data.tokens, "pad": data.vocab.index(PAD),
            "vocab": len(data.vocab)}
    curves: dict = {m: {} for m in MODELS}
    points: dict = {m: {} for m in REFERENCES}
    samples: dict = {m: {} for m in MODELS + ("unigram",)}
    seconds: dict = {m: [] for m in MODELS}
    d_loss: dict = {m: [] for m in ("seqgan", "gumbel")}
    for seed in size["seeds"]:
        gen = torch.Generator().manual_seed(3000 + seed)
        unigram = unigram_samples(data.tokens, refs["pad"], size["n"], gen)
        points["unigram"][seed] = score(unigram, refs, seed)
        samples["unigram"][seed] = data.decode(unigram[:SAMPLES_SHOWN])
        real = data.tokens[torch.randperm(len(data.tokens), generator=gen)[: size["n"]]]
        points["real"][seed] = score(real, refs, seed)
        mle = train(load_config(RECIPES["mle"], overrides("mle", size, seed)), data, steps=size["mle"],
                    keep=keeper(report, f"mle-seed{seed}"))
        start = {k: v.clone() for k, v in mle.parts.nets["G"].state_dict().items()}
        sessions = {"mle": mle}
        for model in ("seqgan", "gumbel"):
            history: list = []
            cfg = load_config(RECIPES[model], overrides(model, size, seed))
            sessions[model] = train(cfg, data, steps=cfg.train.steps, history=history,
                                    init=lambda s: s.parts.nets["G"].load_state_dict(start),
                                    keep=keeper(report, f"{model}-seed{seed}"))
            tail = [h["loss_D"] for h in history[-max(1, len(history) // 5):] if "loss_D" in h]
            d_loss[model].append(statistics.mean(tail) if tail else float("nan"))
        for model, s in sessions.items():
            seconds[model].append(s.wall_time)
            G = s.parts.sampling_net()
            curves[model][seed] = sweep(G, refs, size, seed)
            samples[model][seed] = samples_of(G, data, seed)
    write(report, size, curves, points, samples, seconds, d_loss, time.perf_counter() - started)
