"""CycleGAN (Zhu et al. 2017, objective: cyclegan): unpaired translation between two domains A and B.

Two generators, G_AB: A -> B and G_BA: B -> A, and two discriminators, D_A on
domain A and D_B on domain B. One iteration is one G update of both
generators (one optimizer over both): the adversarial loss (loss.name, the
paper's least squares, weighted by loss.adv_weight) on both translations,
loss.cycle_weight (lambda = 10) times each cycle L1 (G_BA(G_AB(a)) ~ a and
G_AB(G_BA(b)) ~ b), and loss.identity_weight x cycle_weight times each
identity L1 (G_AB(b) ~ b, G_BA(a) ~ a); then one D update of both
discriminators (one optimizer) on real images against fakes drawn from a pool
of the last train.pool_size generated images per discriminator.

The pools are per-process state (`Parts.local`), saved in checkpoints, so a
resumed run continues bit for bit. They are updated on the device without
reading it (no host sync): see `query_pool`.
"""

from __future__ import annotations

import torch

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.models.translation import build_translation_models
from gankit.objectives import gan
from gankit.objectives.parts import Family, OptimizerSpec, Parts
from gankit.objectives.translation import first_images, flat_logits, l1, net, pick, probe_count, translate, triplets


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G_AB, G_BA, D_A, D_B (instance norm), an empty image pool per D, and probe images of both domains."""
    shape, pool = spec.shape, cfg.train.pool_size
    if 0 < pool < cfg.train.batch_size:
        raise GankitError(f"train.pool_size={pool} is smaller than train.batch_size={cfg.train.batch_size}; a pool "
                          "must hold at least one batch: raise it or set train.pool_size=0 (no pool).")
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
    if size == 0:
        return images
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
    n, lc = parts.nets, parts.cfg.loss
    g_loss = loss_for(lc).g
    with t.frozen(n["D_A"], n["D_B"]), t.autocast():
        fake_b, fake_a = n["G_AB"](a), n["G_BA"](b)
        adv = g_loss(flat_logits(n["D_B"](fake_b)).float()) + g_loss(flat_logits(n["D_A"](fake_a)).float())
        cycle = l1(n["G_BA"](fake_b), a) + l1(n["G_AB"](fake_a), b)
        loss = lc.adv_weight * adv + lc.cycle_weight * cycle
        stats = {"loss_G": adv.detach(), "cycle": cycle.detach()}
        if lc.identity_weight > 0:
            identity = l1(n["G_AB"](b), b) + l1(n["G_BA"](a), a)
            loss = loss + lc.identity_weight * lc.cycle_weight * identity
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


def inputs(parts: Parts, n: int, generator: torch.Generator, direction: str = "AtoB") -> dict:
    """n probe inputs of the source domain (A for AtoB, B for BtoA), drawn with replacement."""
    x, _ = pick(parts.buffers["probe_a" if direction == "AtoB" else "probe_b"], n, generator)
    return {"x": x, "direction": direction}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Translations of inputs["x"]: by G_AB, or by G_BA when inputs["direction"] is BtoA (EMA copies when kept)."""
    name = "G_BA" if inputs.get("direction") == "BtoA" else "G_AB"
    return translate(net(parts, name), inputs["x"], chunk)


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """Rows of A, G_AB(A), G_BA(G_AB(A)) and B, G_BA(B), G_AB(G_BA(B))."""
    a, b = parts.buffers["probe_a"].cpu(), parts.buffers["probe_b"].cpu()
    ab, ba = generate(parts, {"x": a}), generate(parts, {"x": b, "direction": "BtoA"})
    aba, bab = generate(parts, {"x": ab, "direction": "BtoA"}), generate(parts, {"x": ba})
    half = (len(a) + 1) // 2
    return triplets([torch.cat([a[:half], b[:half]]), torch.cat([ab[:half], ba[:half]]),
                     torch.cat([aba[:half], bab[:half]])])


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview)
