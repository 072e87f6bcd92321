"""StarGAN (Choi et al. 2018, objective: stargan): one generator translating between many domains.

G(x, c) renders image x in target domain c (a one-hot vector for exclusive
domains, a 0/1 vector for attributes), the vector tiled over the image as
input channels. D returns a patch source map and domain logits from one
trunk. One iteration is train.n_critic (5) D updates, each on a fresh batch:
the adversarial loss (the paper's WGAN-GP: loss.name=wasserstein,
loss.penalty=gp) plus stargan.class_weight times the domain-classification loss
of real images under their own labels; then one G update on the last batch:
the adversarial loss (weighted by stargan.adv_weight), stargan.class_weight
times the classification loss of G(x, c') under the target c', and
stargan.rec_weight times the reconstruction L1 |G(G(x, c'), c) - x|. Targets c' are a random
permutation of the batch's labels. The classification loss is the
cross-entropy over exclusive domains, or the summed binary cross-entropy of
attributes (divided by the batch, as the paper's code does).

Scored on the test split: the reconstruction error into each domain (or with
each attribute flipped) and back, and on the Fashion-MNIST tasks the
classifier's accuracy, its error and FID per target domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gankit.data import DataSpec, to_float
from gankit.data.idx import FASHION_MNIST_CLASSES
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.metrics.translation import l1_distance
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.labels import class_indices, shared_labels
from gankit.objectives.parts import Argument, Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.translation import (DRAW, WRITERS, evaluation, first_images, flat_logits, judged, l1,
                                           probe_count, sources, translate)

MULTI_DOMAIN_SOURCES = ("footwear, tops, a folder with one sub-folder per domain, or attributes (a CSV of "
                        "binary attributes per file)")


@dataclass
class Options:
    """StarGAN's keys (section `stargan:`)."""

    class_weight: float = option(1.0, "weight of the domain classification loss", low=0,
                                 renamed_from="loss.class_weight")
    rec_weight: float = option(10.0, "lambda of the reconstruction L1", low=0, renamed_from="loss.rec_weight")
    adv_weight: float = option(1.0, "weight of G's adversarial loss", low=0, renamed_from="loss.adv_weight")


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G(x, c) and D(x) -> (source, domains) for the data's K domains; probe images with their own labels."""
    k = spec.num_classes
    if k < 2:
        raise GankitError(f"objective stargan needs images labelled with at least two domains, but data.name="
                          f"{cfg.data.name} has {'no labels' if k == 0 else 'one'}; use {MULTI_DOMAIN_SOURCES}.")
    shape, n = spec.shape, probe_count(cfg)
    G, D = build_translation_models(cfg.model, shape, d_in_channels=shape[0], d_norm="none", num_domains=k)
    multi = bool(spec.multi_label)
    labels = getattr(data, "labels", None)
    probe_y = (labels[:n].float() if multi else labels[:n]) if labels is not None else \
        (torch.zeros(n, k) if multi else torch.zeros(n, dtype=torch.int64))
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_x": first_images(getattr(data, "images", None), n, shape), "probe_y": probe_y.cpu()},
    )


def _multi(parts: Parts) -> bool:
    return bool(parts.spec.multi_label)


def domain_vector(parts: Parts, y: torch.Tensor) -> torch.Tensor:
    """The target-domain input c (B, K): one-hot of domain indices, or the attribute vector itself."""
    if _multi(parts):
        return y.float()
    return F.one_hot(y, parts.spec.num_classes).float()


def class_loss(parts: Parts, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Domain classification loss of D's logits (B, K) against labels y (indices, or 0/1 attributes)."""
    logits = logits.float()
    if _multi(parts):
        return F.binary_cross_entropy_with_logits(logits, y.float(), reduction="sum") / logits.shape[0]
    return F.cross_entropy(logits, y)


def _d_fn(D):
    def judge(x):
        source, classes = D(x)
        return flat_logits(source), classes  # (B, patches), (B, K)
    return judge


def d_step(parts: Parts, data, t) -> tuple[dict, tuple]:
    """One D update on a fresh batch; (stats, (x, its labels, target labels)) for G's update."""
    G, D, lc, opts = parts.nets["G"], parts.nets["D"], parts.cfg.loss, parts.cfg.options
    x, y = t.batch(data, parts.cfg.train.batch_size)
    # the batch's labels in a random order (under torchrun: of the whole global batch, as one process has it)
    y_trg = t.gather(y)[t.draw("noise", lambda m, g: torch.randperm(m, generator=g, device=y.device), len(y))]
    with torch.no_grad(), t.autocast():
        fake = G(x, domain_vector(parts, y_trg))
    with t.autocast():
        loss, stats, (real_classes, _) = gan.discriminate(lc, _d_fn(D), x, fake, t)
        cls = class_loss(parts, real_classes, y)
    t.update("D", loss + opts.class_weight * cls)
    return stats | {"class_D": cls.detach()}, (x, y, y_trg)


def g_step(parts: Parts, kept: tuple, t) -> dict:
    """One G update: fool D, be classified as the target, reconstruct the input from the translation."""
    G, D, opts = parts.nets["G"], parts.nets["D"], parts.cfg.options
    x, y, y_trg = kept
    with t.frozen(D), t.autocast():
        fake = G(x, domain_vector(parts, y_trg))
        source, classes = D(fake)
        adv = loss_for(parts.cfg.loss).g(flat_logits(source).float())
        cls = class_loss(parts, classes, y_trg)
        rec = l1(G(fake, domain_vector(parts, y)), x)
        loss = opts.adv_weight * adv + opts.class_weight * cls + opts.rec_weight * rec
    t.update("G", loss)
    return {"loss_G": adv.detach(), "class_G": cls.detach(), "reconstruction": rec.detach()}


def train_step(parts: Parts, data, t) -> dict:
    """train.n_critic D updates, then one G update on the last D update's batch and targets."""
    for _ in range(parts.cfg.train.n_critic):
        stats, kept = d_step(parts, data, t)
    return stats | g_step(parts, kept, t)


def target_vector(parts: Parts, target: str, n: int) -> dict:
    """`--target`: one domain by index or name (y), or for attributes NAME=0|1 pairs (c, the attribute vector)."""
    names = list(parts.spec.class_names)
    if not _multi(parts):
        if "," in str(target):
            raise GankitError(f"--target {target} names several domains; give one of {', '.join(names)}.")
        (index,) = class_indices(parts.spec, target)
        return {"y": torch.full((n,), index, dtype=torch.int64)}
    c = torch.zeros(n, len(names))
    for item in str(target).split(","):
        name, _, value = item.partition("=")
        if name.strip() not in names or value.strip() not in ("0", "1"):
            raise GankitError(f"--target item '{item}' is not NAME=0 or NAME=1 with NAME one of {', '.join(names)}.")
        c[:, names.index(name.strip())] = float(value)
    return {"y": torch.zeros(n, dtype=torch.int64), "c": c}


def inputs(parts: Parts, n: int | None, generator: torch.Generator, images: torch.Tensor | None = None,
           target: str | None = None, labels=None) -> dict:
    """What G translates: the given images into `target` (required), or n probe images into the domains
    `labels` (shared equally), else into domains drawn uniformly; for attributes, a probe's target flips that
    attribute of its own vector."""
    if images is not None:
        if target is None:
            raise GankitError(f"a StarGAN run needs --target: one of its domains ({', '.join(parts.spec.class_names)})"
                              " or, for attributes, NAME=0|1 pairs such as Black_Hair=1,Male=0.")
        return {"x": torch.as_tensor(images).float(), **target_vector(parts, target, len(images))}
    if target is not None:
        raise GankitError("--target is for translating your own images (gankit translate); to sample probe images "
                          "into chosen domains use --labels.")
    x, idx = sources(parts.buffers["probe_x"], n, generator, None)
    n = len(x)
    y = torch.randint(parts.spec.num_classes, (n,), generator=generator) if labels is None else \
        shared_labels(parts.spec, labels, n)
    if _multi(parts):
        own = parts.buffers["probe_y"].cpu()[idx].clone()
        own[torch.arange(n), y] = 1 - own[torch.arange(n), y]
        return {"x": x, "y": y, "c": own}
    return {"x": x, "y": y}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """G's translations of inputs["x"] into the domains inputs["y"] (or attribute vectors inputs["c"])."""
    c = inputs.get("c")
    c = c if c is not None else domain_vector(parts, inputs["y"].long())
    return translate(parts.net("G"), inputs["x"], chunk, c=c)


def flipped(own: torch.Tensor, domain: int) -> torch.Tensor:
    """Attribute vectors (N, K) with attribute `domain` flipped."""
    out = own.clone()
    out[:, domain] = 1 - out[:, domain]
    return out


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """One row per probe image: the input, then its translation into each domain."""
    k = parts.spec.num_classes
    x = parts.buffers["probe_x"].cpu()[: max(1, 48 // (k + 1))]  # (m, C, H, W)
    columns = [x]
    for domain in range(k):
        y = torch.full((len(x),), domain, dtype=torch.int64)
        if _multi(parts):
            columns.append(generate(parts, {"x": x, "y": y, "c": flipped(parts.buffers["probe_y"].cpu()[: len(x)],
                                                                          domain)}))
        else:
            columns.append(generate(parts, {"x": x, "y": y}))
    images = torch.stack(columns, dim=1).flatten(0, 1)  # (m * (K + 1), C, H, W)
    return {"kind": "grid", "images": images, "nrow": k + 1}


def round_trip(x: torch.Tensor, y: torch.Tensor, domain: int, multi: bool) -> tuple[dict, dict]:
    """The inputs of x's translation into `domain` (attributes: that attribute flipped) and of the way back."""
    zeros = torch.zeros(len(x), dtype=torch.int64)
    if multi:
        return {"x": x, "y": zeros, "c": flipped(y, domain)}, {"y": zeros, "c": y}
    return {"x": x, "y": torch.full((len(x),), domain, dtype=torch.int64)}, {"y": y}


def score(parts: Parts, test, n: int, judge) -> dict:
    """Per target domain (or flipped attribute), on the first n test images: the reconstruction L1 of x into
    it and back (any data); with the Fashion-MNIST classifier (exclusive domains), accuracy, error and FID."""
    x, y = to_float(test.images[:n]), test.labels[:n]
    multi = _multi(parts)
    judged_here = judge is not None and not multi  # the classifier reads exclusive Fashion-MNIST domains only
    translate_ = lambda inputs: generate(parts, inputs, chunk=256)
    per_domain: dict[str, list] = {"reconstruction": []}
    if judged_here:
        per_domain |= {"accuracy": [], "accuracy_real": [], "accuracy_input": [], "fid": []}
        x_f, x_p = judge.read(x)  # the inputs are read once: they are also each domain's real images
    for domain in range(parts.spec.num_classes):
        there, back = round_trip(x, y, domain, multi)
        fake = translate_(there)
        # The paper's reconstruction loss as a metric: into the target domain and back, L1 to x (any data).
        per_domain["reconstruction"].append(l1_distance(translate_({"x": fake, **back}), x))
        if judged_here:
            cls = FASHION_MNIST_CLASSES.index(parts.spec.class_names[domain])
            mine = y == domain  # may be none in a small n: that domain's ceiling and FID are then unknown
            scores = judge.scores_read(fake, (x_f[mine], x_p[mine]), x_p, torch.full((len(x),), cls),
                                       torch.full((int(mine.sum()),), cls))
            for key in per_domain.keys() - {"reconstruction"}:
                per_domain[key].append(scores[key])
    out: dict = {"n": len(x)}
    for key, values in per_domain.items():
        known = [v for v in values if v is not None]
        out[key] = sum(known) / len(known) if known else None
        out[f"{key}_per_class"] = values
    if judged_here:
        out["error_per_class"] = [1 - v for v in per_domain["accuracy"]]
    return out


def _metrics(cfg) -> tuple[str, ...]:
    return ("reconstruction",) + (("fid", "accuracy") if judged(cfg) else ())


TARGET = Argument("target", ("translate",), "the target domain (index or name), or attributes as NAME=0|1,...",
                  metavar="DOMAIN")
LABELS = Argument("labels", ("sample",), "translate the probe images into these domains, by index or name",
                  metavar="DOMAIN[,DOMAIN...]", flags=("--label", "--labels"))

def export(parts: Parts) -> Export:
    """G (its EMA copy when kept), from images x (batch, C, H, W) in [-1, 1] and target domains c (batch, K):
    one-hot domains, or 0/1 attribute vectors."""
    c = domain_vector(parts, torch.zeros((2, parts.spec.num_classes) if _multi(parts) else 2, dtype=torch.int64))
    kind = "0/1 attribute vectors" if _multi(parts) else "one-hot target domains (float)"
    return Export(parts.net("G"), {"x": torch.zeros((2, *parts.spec.shape)), "c": c},
                  {"x": "images in [-1, 1]", "c": kind, "domains": list(parts.spec.class_names)})


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=evaluation(_metrics, lambda cfg: "fid" if judged(cfg) else "reconstruction",
                                      {"reconstruction", "fid"}, score),
                writers=WRITERS, draw=DRAW, options=Options, arguments=(TARGET, LABELS), translates=True, export=export,
                data=(("image", "multi_label"), f"images labelled with domains ({MULTI_DOMAIN_SOURCES})"))
