"""Class-conditional GANs (objective: conditional): G(z, y) and D(x, y) learn from labelled data.

The step is gan's Algorithm 1 with labels. D's fakes take the real batch's
labels, so real and fake share their class mix and a gradient penalty
interpolates within one class; G's own update draws its labels uniformly (or
reuses D's fakes and their labels with train.reuse_fakes). How the label
reaches the networks is model.cond (gankit.models.conditional). With
model.cond=acgan, D also minimises the cross-entropy of its class head on real
and fake images and G minimises it on its own (L_C of Odena et al. 2017, on
logits: no softmax before the loss), weighted by loss.class_weight.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.models import build_conditional_models, initialise
from gankit.objectives import gan
from gankit.objectives.parts import Family, OptimizerSpec, Parts
from gankit.objectives.sampling import generate as generate_from, sample_z

LABELLED_SOURCES = ("fashion_mnist, mnist or idx with its labels file, digits, cifar10, cifar100, a folder with "
                    "one sub-folder per class, ring8 or grid25")


def balanced_labels(n: int, num_classes: int) -> torch.Tensor:
    """n labels (n,) covering the classes equally, sorted (so a grid of them has one class per row)."""
    return torch.arange(n) * num_classes // n


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G(z, y) and D(x, y) for K = the data's classes, probe noise and one row of probe labels per class."""
    k = spec.num_classes
    if k < 2:
        have = "has no labels" if k == 0 else "has a single class"
        raise GankitError(f"objective conditional needs labelled data, but data.name={cfg.data.name} {have}; use "
                          f"{LABELLED_SOURCES}, or set objective=gan.")
    G, D = build_conditional_models(cfg.model, spec.shape, k)
    initialise(G, D, cfg.model, data)
    probe = torch.Generator().manual_seed(cfg.train.seed * 3 + 3)
    per_class = max(1, cfg.train.n_samples // k)
    probe_y = torch.arange(k).repeat_interleave(per_class)  # (K * per_class,)
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_z": sample_z(len(probe_y), cfg.model.z_dim, cfg.model.z_dist, probe), "probe_y": probe_y},
        counters={"num_classes": k},
    )


def _num_classes(parts: Parts) -> int:
    return int(parts.counters["num_classes"])


def _class_loss(parts: Parts, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """loss.class_weight x the mean cross-entropy of class logits (B, K) against labels (B,)."""
    return parts.cfg.loss.class_weight * F.cross_entropy(logits.float(), y)


def d_loss(parts: Parts, real: torch.Tensor, y: torch.Tensor, t,
           fake: torch.Tensor | None = None) -> tuple[torch.Tensor, dict]:
    """D's loss on a real batch with labels y (B,) and fakes of the same labels (fresh ones unless given)."""
    G, D = parts.nets["G"], parts.nets["D"]
    if fake is None:
        with torch.no_grad(), t.autocast():
            fake = G(gan.noise(parts, real.shape[0], t), y)  # (B, ...)
    with t.autocast():
        loss, stats, (c_real, c_fake) = gan.discriminate(parts.cfg.loss, lambda x: D(x, y), real, fake.detach(), t)
        if c_real is not None:  # acgan: L_C on real and fake images
            class_loss = _class_loss(parts, c_real, y) + _class_loss(parts, c_fake, y)
            stats["class_D"] = class_loss.detach()
            stats["D_class_accuracy"] = (c_real.detach().argmax(1) == y).float().mean()
            loss = loss + class_loss
    return loss, stats


def d_step(parts: Parts, data, t, keep_fakes: bool = False) -> tuple[dict, tuple | None]:
    """One D update on a fresh labelled batch; (stats, (fakes with G's graph, their labels) when kept)."""
    real, y = t.batch(data, parts.cfg.train.batch_size)
    kept = None
    if keep_fakes:
        with t.autocast():
            kept = (parts.nets["G"](gan.noise(parts, real.shape[0], t), y), y)
    loss, stats = d_loss(parts, real, y, t, kept[0] if kept else None)
    t.update("D", loss)
    gan.after_d_update(parts)
    return stats, kept


def g_step(parts: Parts, t, kept: tuple | None = None) -> dict:
    """One G update on fresh noise and uniform labels (or on kept fakes and their labels); D is frozen."""
    G, D = parts.nets["G"], parts.nets["D"]
    with t.frozen(D), t.autocast():
        if kept is None:
            n = parts.cfg.train.batch_size
            y = torch.randint(_num_classes(parts), (n,), generator=t.rng("noise"), device=t.device)
            fake = G(gan.noise(parts, n, t), y)
        else:
            fake, y = kept
        d_fake, c_fake = D(fake, y)
        loss = loss_for(parts.cfg.loss).g(d_fake.float())
        stats = {}
        if c_fake is not None:
            class_loss = _class_loss(parts, c_fake, y)
            stats["class_G"] = class_loss.detach()
            loss = loss + class_loss
    t.update("G", loss)
    return {"loss_G": loss.detach()} | stats


def train_step(parts: Parts, data, t) -> dict:
    """Algorithm 1 with labels: k = n_critic D steps, then one G step."""
    return gan.algorithm1(parts, data, t, d_step, g_step)


def inputs(parts: Parts, n: int, generator: torch.Generator, labels: torch.Tensor | None = None) -> dict:
    """Noise for n samples and their labels (n,): the given ones, else every class equally, sorted."""
    y = balanced_labels(n, _num_classes(parts)) if labels is None else torch.as_tensor(labels, dtype=torch.int64)
    return {"z": sample_z(n, parts.cfg.model.z_dim, parts.cfg.model.z_dist, generator), "y": y}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Samples of the sampling net (G, or its EMA copy) for the inputs' noise and labels, in eval mode, on the CPU."""
    return generate_from(parts.sampling_net(), inputs["z"], chunk, inputs["y"]).cpu()


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """One row of samples per class (a grid), or for toy data the samples coloured by their label."""
    y = parts.buffers["probe_y"]
    fake = generate(parts, {"z": parts.buffers["probe_z"], "y": y})
    if data.kind == "image":
        return {"kind": "grid", "images": fake, "nrow": len(y) // _num_classes(parts)}
    real, _ = data.sample(len(fake), torch.Generator(device=data.device).manual_seed(0))
    return {"kind": "toy", "real": real, "fake": fake, "fake_labels": y.cpu()}


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview)
