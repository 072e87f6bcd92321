"""StarGAN (Choi et al. 2018, objective: stargan): one generator translating between many domains.

G(x, c) renders image x in target domain c (a one-hot vector for exclusive
domains, a 0/1 vector for attributes), the vector tiled over the image as
input channels. D returns a patch source map and domain logits from one
trunk. One iteration is train.n_critic (5) D updates, each on a fresh batch:
the adversarial loss (the paper's WGAN-GP: loss.name=wasserstein,
loss.penalty=gp) plus loss.class_weight times the domain-classification loss
of real images under their own labels; then one G update on the last batch:
the adversarial loss (weighted by loss.adv_weight), loss.class_weight times the
classification loss of G(x, c') under the target c', and loss.rec_weight times
the reconstruction L1 |G(G(x, c'), c) - x|. Targets c' are a random
permutation of the batch's labels. The classification loss is the
cross-entropy over exclusive domains, or the summed binary cross-entropy of
attributes (divided by the batch, as the paper's code does).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.parts import Family, OptimizerSpec, Parts
from gankit.objectives.translation import first_images, flat_logits, l1, net, pick, probe_count, translate

MULTI_DOMAIN_SOURCES = ("footwear, tops, a folder with one sub-folder per domain, or attributes (a CSV of "
                        "binary attributes per file)")


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
        counters={"num_classes": k, "multi_label": int(multi)},
    )


def _multi(parts: Parts) -> bool:
    return bool(parts.counters.get("multi_label", 0))


def domain_vector(parts: Parts, y: torch.Tensor) -> torch.Tensor:
    """The target-domain input c (B, K): one-hot of domain indices, or the attribute vector itself."""
    if _multi(parts):
        return y.float()
    return F.one_hot(y, int(parts.counters["num_classes"])).float()


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
    G, D, lc = parts.nets["G"], parts.nets["D"], parts.cfg.loss
    x, y = t.batch(data, parts.cfg.train.batch_size)
    y_trg = y[torch.randperm(len(y), generator=t.rng("noise"), device=y.device)]
    with torch.no_grad(), t.autocast():
        fake = G(x, domain_vector(parts, y_trg))
    with t.autocast():
        loss, stats, (real_classes, _) = gan.discriminate(lc, _d_fn(D), x, fake, t)
        cls = class_loss(parts, real_classes, y)
    t.update("D", loss + lc.class_weight * cls)
    return stats | {"class_D": cls.detach()}, (x, y, y_trg)


def g_step(parts: Parts, kept: tuple, t) -> dict:
    """One G update: fool D, be classified as the target, reconstruct the input from the translation."""
    G, D, lc = parts.nets["G"], parts.nets["D"], parts.cfg.loss
    x, y, y_trg = kept
    with t.frozen(D), t.autocast():
        fake = G(x, domain_vector(parts, y_trg))
        source, classes = D(fake)
        adv = loss_for(lc).g(flat_logits(source).float())
        cls = class_loss(parts, classes, y_trg)
        rec = l1(G(fake, domain_vector(parts, y)), x)
        loss = lc.adv_weight * adv + lc.class_weight * cls + lc.rec_weight * rec
    t.update("G", loss)
    return {"loss_G": adv.detach(), "class_G": cls.detach(), "reconstruction": rec.detach()}


def train_step(parts: Parts, data, t) -> dict:
    """train.n_critic D updates, then one G update on the last D update's batch and targets."""
    for _ in range(parts.cfg.train.n_critic):
        stats, kept = d_step(parts, data, t)
    return stats | g_step(parts, kept, t)


def inputs(parts: Parts, n: int, generator: torch.Generator, labels: torch.Tensor | None = None) -> dict:
    """n probe images and target domains (`labels`, else drawn uniformly); for attributes, the target flips
    that attribute of the image's own vector."""
    x, idx = pick(parts.buffers["probe_x"], n, generator)
    k = int(parts.counters["num_classes"])
    y = labels if labels is not None else torch.randint(k, (n,), generator=generator)
    if _multi(parts):
        own = parts.buffers["probe_y"].cpu()[idx].clone()
        own[torch.arange(n), y] = 1 - own[torch.arange(n), y]
        return {"x": x, "y": y, "c": own}
    return {"x": x, "y": y}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """G's translations of inputs["x"] into the domains inputs["y"] (or attribute vectors inputs["c"])."""
    c = inputs.get("c")
    c = c if c is not None else domain_vector(parts, inputs["y"].long())
    return translate(net(parts, "G"), inputs["x"], chunk, c=c)


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """One row per probe image: the input, then its translation into each domain."""
    k = int(parts.counters["num_classes"])
    x = parts.buffers["probe_x"].cpu()[: max(1, 48 // (k + 1))]  # (m, C, H, W)
    columns = [x]
    for domain in range(k):
        y = torch.full((len(x),), domain, dtype=torch.int64)
        if _multi(parts):
            c = parts.buffers["probe_y"].cpu()[: len(x)].clone()
            c[:, domain] = 1 - c[:, domain]
            columns.append(generate(parts, {"x": x, "y": y, "c": c}))
        else:
            columns.append(generate(parts, {"x": x, "y": y}))
    images = torch.stack(columns, dim=1).flatten(0, 1)  # (m * (K + 1), C, H, W)
    return {"kind": "grid", "images": images, "nrow": k + 1}


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview)
