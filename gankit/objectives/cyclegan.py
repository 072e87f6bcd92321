"""CycleGAN (Zhu et al. 2017, objective: cyclegan): unpaired translation between two domains A and B.

Two generators, G_AB: A -> B and G_BA: B -> A, and two discriminators, D_A on
domain A and D_B on domain B. One iteration is one G update of both
generators (one optimizer over both): the adversarial loss (loss.name, the
paper's least squares, weighted by cyclegan.adv_weight) on both translations,
cyclegan.cycle_weight (lambda = 10) times each cycle L1 (G_BA(G_AB(a)) ~ a and
G_AB(G_BA(b)) ~ b), and cyclegan.identity_weight x cycle_weight times each
identity L1 (G_AB(b) ~ b, G_BA(a) ~ a); then one D update of both
discriminators (one optimizer) on real images against fakes drawn from a pool
of the last cyclegan.pool_size generated images per discriminator.

Scored on the test split: the cycle error each way, pixel metrics where the
test split keeps ground truth (edges_unpaired), and on the Fashion-MNIST tasks
the classifier's accuracy and FID of the translations each way.

The pools are per-process state (`Parts.local`), saved in checkpoints, so a
resumed run continues bit for bit. They are updated on the device without
reading it (no host sync): see `query_pool`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from gankit.data import DataSpec, to_float
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.metrics.evaluate_translation import EDGE_TASKS
from gankit.metrics.translation import l1_distance, pixel_metrics
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.parts import Argument, Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.translation import (DRAW, WRITERS, evaluation, first_images, flat_logits, judged, l1,
                                           probe_count, sources, translate, triplets)

DIRECTIONS = ("AtoB", "BtoA")


@dataclass
class Options:
    """CycleGAN's keys (section `cyclegan:`)."""

    cycle_weight: float = option(10.0, "lambda of each cycle-consistency L1", low=0, renamed_from="loss.cycle_weight")
    identity_weight: float = option(0.5, "the identity L1's weight, as a share of cycle_weight", low=0,
                                    renamed_from="loss.identity_weight")
    adv_weight: float = option(1.0, "weight of G's adversarial loss", low=0, renamed_from="loss.adv_weight")
    pool_size: int = option(50, "generated images each D keeps and draws from (0: none)", low=0,
                            renamed_from="train.pool_size")


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G_AB, G_BA, D_A, D_B (instance norm), an empty image pool per D, and probe images of both domains."""
    shape, pool = spec.shape, cfg.options.pool_size
    if 0 < pool < cfg.train.batch_size:
        raise GankitError(f"cyclegan.pool_size={pool} is smaller than train.batch_size={cfg.train.batch_size}; a "
                          "pool must hold at least one batch: raise it or set cyclegan.pool_size=0 (no pool).")
    G_AB, D_B = build_translation_models(cfg.model, shape, d_in_channels=shape[0], d_norm="instance")
    G_BA, D_A = build_translation_models(cfg.model, shape, d_in_channels=shape[0], d_norm="instance")
    n = probe_count(cfg)
    return Parts(
        cfg=cfg, nets={"G_AB": G_AB, "G_BA": G_BA, "D_A": D_A, "D_B": D_B},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G_AB", "G_BA")), "D": OptimizerSpec(cfg.d_optim, ("D_A", "D_B"))},
        emas={"G_AB_ema": "G_AB", "G_BA_ema": "G_BA"},
        buffers={"probe_a": first_images(getattr(data, "a", None), n, shape),
                 "probe_b": first_images(getattr(data, "b", None), n, shape)},
        local={"pool_A": torch.zeros((pool, *shape)), "pool_A_count": torch.zeros((), dtype=torch.int64),
               "pool_B": torch.zeros((pool, *shape)), "pool_B_count": torch.zeros((), dtype=torch.int64)},
        sampler="G_AB",
    )


@torch.no_grad()
def query_pool(pool: torch.Tensor, count: torch.Tensor, images: torch.Tensor, generator: torch.Generator):
    """The images D trains on: while the pool fills, the new images (stored); once full, each image is swapped
    with probability 1/2 for a stored one it replaces (the reference's ImagePool). Updates pool and count in place.

    Slots are distinct within a batch (consecutive while filling, a random permutation once full), so the
    update is deterministic; nothing here reads the device.
    """
    size, n = pool.shape[0], images.shape[0]
    if size == 0:  # no pool: D sees the new fakes, cut from G's graph (G has already been updated through them)
        return images.detach()
    images = images.detach().float()
    full = count >= size  # 0-d bool
    fill_slots = (count + torch.arange(n, device=pool.device)) % size
    swap_slots = torch.randperm(size, generator=generator, device=pool.device)[:n]
    slot = torch.where(full, swap_slots, fill_slots)  # (n,)
    swap = (full & (torch.rand(n, generator=generator, device=pool.device) < 0.5)).view(-1, 1, 1, 1)
    stored = pool[slot]  # (n, C, H, W)
    out = torch.where(swap, stored, images)
    pool[slot] = torch.where(full.view(1, 1, 1, 1) & ~swap, stored, images)
    count.copy_(torch.clamp(count + n, max=size))
    return out


def _d_fn(D):
    return lambda x: (flat_logits(D(x)), None)  # (B, patches)


def _g_step(parts: Parts, a: torch.Tensor, b: torch.Tensor, t) -> tuple[dict, torch.Tensor, torch.Tensor]:
    """Both generators' update; (stats, G_BA(b), G_AB(a)) for the D update."""
    n, opts = parts.nets, parts.cfg.options
    g_loss = loss_for(parts.cfg.loss).g
    with t.frozen(n["D_A"], n["D_B"]), t.autocast():
        fake_b, fake_a = n["G_AB"](a), n["G_BA"](b)
        adv = g_loss(flat_logits(n["D_B"](fake_b)).float()) + g_loss(flat_logits(n["D_A"](fake_a)).float())
        cycle = l1(n["G_BA"](fake_b), a) + l1(n["G_AB"](fake_a), b)
        loss = opts.adv_weight * adv + opts.cycle_weight * cycle
        stats = {"loss_G": adv.detach(), "cycle": cycle.detach()}
        if opts.identity_weight > 0:
            identity = l1(n["G_AB"](b), b) + l1(n["G_BA"](a), a)
            loss = loss + opts.identity_weight * opts.cycle_weight * identity
            stats["identity"] = identity.detach()
    t.update("G", loss)
    return stats, fake_a, fake_b


def train_step(parts: Parts, data, t) -> dict:
    """One G update of both generators, then one D update of both discriminators on pooled fakes."""
    n, local, lc = parts.nets, parts.local, parts.cfg.loss
    a, b = t.batch(data, parts.cfg.train.batch_size)  # unpaired: independent draws from A and B
    stats, fake_a, fake_b = _g_step(parts, a, b, t)
    pooled_a = query_pool(local["pool_A"], local["pool_A_count"], fake_a, t.rng("pool"))
    pooled_b = query_pool(local["pool_B"], local["pool_B_count"], fake_b, t.rng("pool"))
    with t.autocast():
        loss_a, stats_a, _ = gan.discriminate(lc, _d_fn(n["D_A"]), a, pooled_a, t)
        loss_b, stats_b, _ = gan.discriminate(lc, _d_fn(n["D_B"]), b, pooled_b, t)
    t.update("D", loss_a + loss_b)
    return stats | {f"{k}_A": v for k, v in stats_a.items()} | {f"{k}_B": v for k, v in stats_b.items()} | \
        {"loss_D": stats_a["loss_D"] + stats_b["loss_D"]}


def _direction(direction: str | None) -> str:
    if direction not in (None, *DIRECTIONS):
        raise GankitError(f"--direction {direction} is not AtoB or BtoA.")
    return direction or "AtoB"


def inputs(parts: Parts, n: int | None, generator: torch.Generator, images: torch.Tensor | None = None,
           direction: str | None = None) -> dict:
    """The given images, else n probe inputs of the source domain (A for AtoB, B for BtoA) drawn with
    replacement; and the direction (default AtoB)."""
    direction = _direction(direction)
    x, _ = sources(parts.buffers["probe_a" if direction == "AtoB" else "probe_b"], n, generator, images)
    return {"x": x, "direction": direction}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Translations of inputs["x"]: by G_AB, or by G_BA when inputs["direction"] is BtoA (EMA copies when kept)."""
    name = "G_BA" if inputs.get("direction") == "BtoA" else "G_AB"
    return translate(parts.net(name), inputs["x"], chunk)


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """Rows of A, G_AB(A), G_BA(G_AB(A)) and B, G_BA(B), G_AB(G_BA(B))."""
    a, b = parts.buffers["probe_a"].cpu(), parts.buffers["probe_b"].cpu()
    ab, ba = generate(parts, {"x": a}), generate(parts, {"x": b, "direction": "BtoA"})
    aba, bab = generate(parts, {"x": ab, "direction": "BtoA"}), generate(parts, {"x": ba})
    half = (len(a) + 1) // 2
    return triplets([torch.cat([a[:half], b[:half]]), torch.cat([ab[:half], ba[:half]]),
                     torch.cat([aba[:half], bab[:half]])])


def score(parts: Parts, test, n: int, judge) -> dict:
    """The cycle error each way on the first n test images of each domain; pixel metrics of A -> B where the
    test split keeps each A's true B; with the Fashion-MNIST classifier, accuracy and FID each way."""
    translate_ = lambda inputs: generate(parts, inputs, chunk=256)
    a, b = to_float(test.a[:n]), to_float(test.b[:n])
    ab, ba = translate_({"x": a}), translate_({"x": b, "direction": "BtoA"})
    out = {"n": min(len(a), len(b)),
           "cycle_AtoB": l1_distance(translate_({"x": ab, "direction": "BtoA"}), a),
           "cycle_BtoA": l1_distance(translate_({"x": ba}), b)}
    if test.pairs_b is not None:
        out |= pixel_metrics(ab, to_float(test.pairs_b[:n]), prefix="AtoB_")
    if judge is None or test.labels_a is None or test.labels_b is None:
        return out
    labels_a, labels_b = test.labels_a[:n], test.labels_b[:n]
    if parts.cfg.data.name in EDGE_TASKS:  # A is edges: A -> B should show the garment the edges were drawn from
        out |= {f"{k}_AtoB": v for k, v in judge.scores(ab, b, a, labels_a, labels_b).items()}
        return out
    for direction, fake, real, src, real_labels in (("AtoB", ab, b, a, labels_b), ("BtoA", ba, a, b, labels_a)):
        intended = torch.full((len(fake),), int(real_labels[0]))
        out |= {f"{k}_{direction}": v for k, v in judge.scores(fake, real, src, intended, real_labels).items()}
    return out


def _metrics(cfg) -> tuple[str, ...]:
    out = ("cycle_AtoB", "cycle_BtoA")
    if cfg.data.name in EDGE_TASKS:
        out += ("AtoB_l1", "AtoB_psnr", "AtoB_ssim")
    if judged(cfg):
        out += ("fid_AtoB", "accuracy_AtoB") + (() if cfg.data.name in EDGE_TASKS else ("fid_BtoA", "accuracy_BtoA"))
    return out


DIRECTION = Argument("direction", ("translate", "sample", "export"), "which generator: AtoB (G_AB, the default) or BtoA (G_BA)",
                     metavar="AtoB|BtoA")

def export(parts: Parts, direction: str | None = None) -> Export:
    """G_AB (or G_BA for direction BtoA; EMA copies when kept), from images x (batch, C, H, W) in [-1, 1]."""
    direction = _direction(direction)
    return Export(parts.net("G_BA" if direction == "BtoA" else "G_AB"), {"x": torch.zeros((2, *parts.spec.shape))},
                  {"x": "images in [-1, 1]", "direction": direction})


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=evaluation(_metrics, lambda cfg: "fid_AtoB" if judged(cfg) else "cycle_AtoB",
                                      {"cycle_AtoB", "cycle_BtoA", "AtoB_l1", "fid_AtoB", "fid_BtoA"}, score),
                writers=WRITERS, draw=DRAW, options=Options, arguments=(DIRECTION,), translates=True, export=export,
                data=(("unpaired",), "unpaired data (sandal2sneaker, shirt2tshirt, edges_unpaired, or "
                      "unpaired_folder with trainA/ trainB/ testA/ testB/)"))
