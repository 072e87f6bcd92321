"""pix2pix (Isola et al. 2017, objective: pix2pix): paired image-to-image translation.

G (a U-Net by default) maps an input image A to its target B; D (a PatchGAN)
judges (input, output) pairs: D(A, B) real, D(A, G(A)) fake. One iteration is
one D update, then one G update on the same pair. G minimises its adversarial
loss (loss.name; the paper's is the non-saturating BCE, weighted by
pix2pix.adv_weight) plus pix2pix.l1_weight (lambda = 100) times the L1
distance to the target; D's loss is halved, as the paper does. G's noise is
dropout (model.g_dropout, 0.5 in the recipes), not z.

Scored on the test split: L1 / PSNR / SSIM to the targets, and on the
Fashion-MNIST tasks the classifier's accuracy and FID of the translations.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.data import DataSpec, to_float
from gankit.losses import loss_for
from gankit.metrics.translation import pixel_metrics
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.parts import Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.translation import (DRAW, WRITERS, evaluation, first_images, flat_logits, judged, l1,
                                           probe_count, sources, translate, triplets)


@dataclass
class Options:
    """pix2pix's keys (section `pix2pix:`)."""

    l1_weight: float = option(100.0, "lambda of the L1 distance to the target", low=0,
                              renamed_from="loss.l1_weight")
    adv_weight: float = option(1.0, "weight of G's adversarial loss (0: the paper's \"L1 alone\")", low=0,
                               renamed_from="loss.adv_weight")


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G: A -> B and D on (A, B) pairs (channels stacked), and probe pairs from the start of the training data."""
    shape = spec.shape
    G, D = build_translation_models(cfg.model, shape, d_in_channels=2 * shape[0], d_norm="batch")
    n = probe_count(cfg)
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_a": first_images(getattr(data, "a", None), n, shape),
                 "probe_b": first_images(getattr(data, "b", None), n, shape)},
    )


def _d_fn(D, a: torch.Tensor):
    return lambda x: (flat_logits(D(torch.cat([a, x], dim=1))), None)  # (B, patches)


def d_loss(parts: Parts, a: torch.Tensor, b: torch.Tensor, fake: torch.Tensor, t) -> tuple[torch.Tensor, dict]:
    """D's loss on the real pair (a, b) and the fake pair (a, G(a)), halved as the paper does; its statistics."""
    with t.autocast():
        loss, stats, _ = gan.discriminate(parts.cfg.loss, _d_fn(parts.nets["D"], a), b, fake.detach(), t)
    return 0.5 * loss, stats


def train_step(parts: Parts, data, t) -> dict:
    """One D update on a pair (A, B) and G(A), then one G update on the same pair."""
    G, D, lc, opts = parts.nets["G"], parts.nets["D"], parts.cfg.loss, parts.cfg.options
    a, b = t.batch(data, parts.cfg.train.batch_size)  # (B, C, H, W) each
    with t.autocast():
        fake = G(a)  # (B, C, H, W), G's graph kept for its update
    loss_d, stats = d_loss(parts, a, b, fake, t)
    t.update("D", loss_d)
    with t.frozen(D), t.autocast():
        adv = loss_for(lc).g(flat_logits(D(torch.cat([a, fake], dim=1))).float())
        distance = l1(fake, b)
        loss_g = opts.adv_weight * adv + opts.l1_weight * distance
    t.update("G", loss_g)
    return stats | {"loss_G": adv.detach(), "L1": distance.detach()}


def inputs(parts: Parts, n: int | None, generator: torch.Generator, images: torch.Tensor | None = None) -> dict:
    """The given images, else n probe inputs (with their targets), drawn with replacement."""
    x, idx = sources(parts.buffers["probe_a"], n, generator, images)
    return {"x": x} if idx is None else {"x": x, "target": parts.buffers["probe_b"].cpu()[idx]}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """G's translations of inputs["x"] (the EMA copy when kept), on the CPU."""
    return translate(parts.net("G"), inputs["x"], chunk)


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """input | output | target for each probe pair."""
    a, b = parts.buffers["probe_a"].cpu(), parts.buffers["probe_b"].cpu()
    return triplets([a, generate(parts, {"x": a}), b])


def score(parts: Parts, test, n: int, judge) -> dict:
    """Pixel metrics of G(A) against B on the first n test pairs; with the Fashion-MNIST classifier, the
    share of translations read as their garment's class and their FID."""
    a, b = to_float(test.a[:n]), to_float(test.b[:n])
    fake = generate(parts, {"x": a}, chunk=256)
    out = {"n": len(a), **pixel_metrics(fake, b)}
    if judge is not None and test.labels is not None:
        labels = test.labels[:n]
        out |= judge.scores(fake, b, a, labels, labels)
    return out


def _metrics(cfg) -> tuple[str, ...]:
    return ("l1", "psnr", "ssim") + (("fid", "accuracy") if judged(cfg) else ())


def export(parts: Parts) -> Export:
    """G (its EMA copy when kept), from input images x (batch, C, H, W) in [-1, 1] to their translations."""
    return Export(parts.net("G"), {"x": torch.zeros((2, *parts.spec.shape))}, {"x": "images in [-1, 1]"})


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=evaluation(_metrics, lambda cfg: "l1", {"l1", "fid"}, score), writers=WRITERS,
                data=(("paired",), "paired data (edges2fashion, or paired_folder with your A|B images)"),
                draw=DRAW, options=Options, translates=True, export=export)
