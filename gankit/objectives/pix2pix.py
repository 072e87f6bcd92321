"""pix2pix (Isola et al. 2017, objective: pix2pix): paired image-to-image translation.

G (a U-Net by default) maps an input image A to its target B; D (a PatchGAN)
judges (input, output) pairs: D(A, B) real, D(A, G(A)) fake. One iteration is
one D update, then one G update on the same pair. G minimises its adversarial
loss (loss.name; the paper's is the non-saturating BCE, weighted by
loss.adv_weight) plus loss.l1_weight (lambda = 100) times the L1 distance to
the target; D's loss is halved, as the paper does. G's noise is dropout
(model.g_dropout, 0.5 in the recipes), not z.
"""

from __future__ import annotations

import torch

from gankit.data import DataSpec
from gankit.losses import loss_for
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.parts import Family, OptimizerSpec, Parts
from gankit.objectives.translation import first_images, flat_logits, l1, net, pick, probe_count, translate, triplets


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


def train_step(parts: Parts, data, t) -> dict:
    """One D update on a pair (A, B) and G(A), then one G update on the same pair."""
    G, D, lc = parts.nets["G"], parts.nets["D"], parts.cfg.loss
    a, b = t.batch(data, parts.cfg.train.batch_size)  # (B, C, H, W) each
    with t.autocast():
        fake = G(a)  # (B, C, H, W), G's graph kept for its update
        loss_d, stats, _ = gan.discriminate(lc, _d_fn(D, a), b, fake.detach(), t)
    t.update("D", 0.5 * loss_d)
    with t.frozen(D), t.autocast():
        adv = loss_for(lc).g(flat_logits(D(torch.cat([a, fake], dim=1))).float())
        distance = l1(fake, b)
        loss_g = lc.adv_weight * adv + lc.l1_weight * distance
    t.update("G", loss_g)
    return stats | {"loss_G": adv.detach(), "L1": distance.detach()}


def inputs(parts: Parts, n: int, generator: torch.Generator) -> dict:
    """n probe inputs (with their targets), drawn with replacement."""
    x, idx = pick(parts.buffers["probe_a"], n, generator)
    return {"x": x, "target": parts.buffers["probe_b"].cpu()[idx]}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """G's translations of inputs["x"] (the EMA copy when kept), on the CPU."""
    return translate(net(parts, "G"), inputs["x"], chunk)


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """input | output | target for each probe pair."""
    a, b = parts.buffers["probe_a"].cpu(), parts.buffers["probe_b"].cpu()
    return triplets([a, generate(parts, {"x": a}), b])


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview)
