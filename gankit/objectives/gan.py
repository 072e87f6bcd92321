"""The unconditional GAN family: Algorithm 1 of Goodfellow et al. 2014 with any loss and penalty.

One iteration is k = train.n_critic D updates, each on a fresh real batch and
fresh noise, then one G update on fresh noise (or, with train.reuse_fakes, on
the last D update's fakes, which saves one G forward per iteration). Losses
come from gankit.losses; WGAN's weight clipping follows each D update. The
conditional family runs the same Algorithm 1 with labels (`Labels`). Every
image D sees, real or fake, in its update and in G's, passes through
`t.augment` (train.augment: DiffAugment or ADA; nothing without one); loss.bcr_weight adds bCR's
consistency term to D's loss (gankit.augment.consistency).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch

from gankit.augment import consistency
from gankit.data import DataSpec
from gankit.losses import clip_weights_, gradient_penalty, loss_for, r1_penalty
from gankit.losses.penalties import penalty_points
from gankit.models import build_models, initialise
from gankit.objectives import sample_scores as scores
from gankit.objectives.outputs import IMAGE_WRITERS, draw_picture, toy_preview
from gankit.objectives.parts import Argument, Export, Family, OptimizerSpec, Parts
from gankit.errors import GankitError
from gankit.objectives import latent_tools, path_length
from gankit.objectives.sampling import STYLE_INPUTS, generate as generate_from, sample_z, truncation as truncation_psi


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G and D for the data's shape (the global RNG, seeded by the trainer, draws their weights), and the probe noise."""
    G, D = build_models(cfg.model, spec.shape)
    initialise(G, D, cfg.model, data)
    probe = torch.Generator().manual_seed(cfg.train.seed * 3 + 3)
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_z": sample_z(cfg.train.n_samples, cfg.model.z_dim, cfg.model.z_dist, probe)},
    )


def noise(parts: Parts, n: int, t) -> torch.Tensor:
    model = parts.cfg.model
    return t.draw("noise", lambda m, g: sample_z(m, model.z_dim, model.z_dist, g), n)  # (n, z_dim) on the device


def _report(d_out: torch.Tensor, probabilistic: bool) -> torch.Tensor:
    # D(x) as a probability for the logit losses, the raw critic value otherwise.
    d_out = d_out.detach().float()
    return (torch.sigmoid(d_out) if probabilistic else d_out).mean()


def discriminate(lc, d_fn, real: torch.Tensor, fake: torch.Tensor, t,
                 consistent: bool = False) -> tuple[torch.Tensor, dict, tuple]:
    """D's adversarial loss and penalty (call under t.autocast()); d_fn(x) -> (logits (B,), anything else D says).
    With `consistent` (images), bCR's term when loss.bcr_weight > 0.

    Returns (loss, 0-d tensor statistics, (what else D said of real, of fake)).
    """
    loss_fn = loss_for(lc)
    if lc.penalty == "r1":
        real = real.detach().requires_grad_(True)
    (d_real, real_aux), (d_fake, fake_aux) = d_fn(real), d_fn(fake)  # (B,), (B,)
    t.judged_real(d_real)  # ADA's heuristic reads D's confidence on the real images
    loss = loss_fn.d(d_real.float(), d_fake.float())
    stats = {"loss_D": loss.detach(), "D_real": _report(d_real, loss_fn.probabilistic),
             "D_fake": _report(d_fake, loss_fn.probabilistic)}
    if consistent and lc.bcr_weight > 0:  # bCR: the same logit for an image and its flip-and-shift
        def uniforms(m, g):
            return torch.rand(m, consistency.UNIFORMS, generator=g, device=t.device)

        term = sum(consistency.consistency_term(lambda x: d_fn(x)[0], x, logits,
                                                t.draw("consistency", uniforms, len(x)))
                   for x, logits in ((real, d_real), (fake, d_fake)))
        stats["consistency"] = term.detach()
        loss = loss + lc.bcr_weight * term
    if lc.penalty == "gp":
        eps = t.draw("noise", lambda m, g: penalty_points(m, real, g), len(real))
        penalty = lc.gp_weight * gradient_penalty(lambda x: d_fn(x)[0], real, fake, eps, t.loss_scale("D"))
    elif lc.penalty == "r1":
        if t.step % lc.r1_every:  # lazy regularisation: R1 on every r1_every-th step, r1_every times as strong
            return loss, stats, (real_aux, fake_aux)
        penalty = lc.r1_every * lc.r1_gamma / 2 * r1_penalty(d_real, real, t.loss_scale("D"))
    else:
        return loss, stats, (real_aux, fake_aux)
    stats["penalty"] = penalty.detach()
    return loss + penalty, stats, (real_aux, fake_aux)


class Labels(NamedTuple):
    """How a labelled family (gankit.objectives.conditional) joins Algorithm 1: G(z, y) and D(x, y)."""

    draw: Callable        # (n, t) -> labels (n,) for G's own update, drawn on the device before its noise
    class_loss: Callable  # (parts, class logits (B, K), labels (B,)) -> the weighted auxiliary loss (AC-GAN)


def _judge(D, x: torch.Tensor, y: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
    """D's adversarial logits (B,) and its class logits (B, K) or None; D(x) when unlabelled, D(x, y) when labelled."""
    out = D(x) if y is None else D(x, y)
    return out if isinstance(out, tuple) else (out, None)


def _fake(parts: Parts, n: int, t, y: torch.Tensor | None) -> torch.Tensor:
    """n fakes of fresh noise (and labels y); a style-based G also mixes styles (its mixing_prob of them)."""
    G, z = parts.nets["G"], noise(parts, n, t)
    more = {}
    if getattr(G, "mixing_prob", 0) > 0:  # a second noise and, per image, (whether it mixes, where)
        more["mix"] = (noise(parts, n, t),
                       t.draw("mixing", lambda m, g: torch.rand(m, 2, generator=g, device=t.device), n))
    return G(z, **more) if y is None else G(z, y, **more)  # (n, ...)


def d_loss(parts: Parts, real: torch.Tensor, t, fake: torch.Tensor | None = None, y: torch.Tensor | None = None,
           labels: Labels | None = None) -> tuple[torch.Tensor, dict]:
    """The discriminator's loss on one real batch (with its labels y when labelled) and as many fakes of the same
    labels (fresh ones unless given), plus its penalty and, for AC-GAN, the class loss on real and fake images.

    Statistics are 0-d tensors, read by the loop once per logging interval.
    """
    D = parts.nets["D"]
    if fake is None:
        with torch.no_grad(), t.autocast():
            fake = _fake(parts, real.shape[0], t, y)
    with t.autocast():
        loss, stats, (c_real, c_fake) = discriminate(parts.cfg.loss, lambda x: _judge(D, t.augment(x), y), real,
                                                     fake.detach(), t, consistent=True)
        if c_real is not None:  # acgan: L_C on real and fake images
            class_loss = labels.class_loss(parts, c_real, y) + labels.class_loss(parts, c_fake, y)
            stats["class_D"] = class_loss.detach()
            stats["D_class_accuracy"] = (c_real.detach().argmax(1) == y).float().mean()
            loss = loss + class_loss
    return loss, stats


def after_d_update(parts: Parts) -> None:
    """WGAN's weight clipping of D, when the config asks for it."""
    if parts.cfg.loss.penalty == "clip":
        clip_weights_(parts.nets["D"], parts.cfg.loss.clip)


def d_step(parts: Parts, data, t, keep_fakes: bool = False, labels: Labels | None = None) -> tuple[dict, tuple | None]:
    """One D update on a fresh real batch, then WGAN's clipping when asked; (stats, (the fakes with G's graph,
    their labels) when kept)."""
    real, y = t.batch(data, parts.cfg.train.batch_size)
    y = y if labels is not None else None
    kept = None
    if keep_fakes:
        with t.autocast():
            kept = (_fake(parts, real.shape[0], t, y), y)  # G's graph kept for its update
    loss, stats = d_loss(parts, real, t, kept[0] if kept else None, y, labels)
    t.update("D", loss)
    after_d_update(parts)
    return stats, kept


def g_step(parts: Parts, t, kept: tuple | None = None, labels: Labels | None = None) -> dict:
    """One G update on fresh noise (and labels drawn by `labels`), or on kept fakes that carry G's graph; D is
    frozen, so only G gets gradients."""
    D = parts.nets["D"]
    with t.frozen(D), t.autocast():
        if kept is None:
            n = t.share(parts.cfg.train.batch_size)
            y = labels.draw(n, t) if labels is not None else None
            fake = _fake(parts, n, t, y)
        else:
            fake, y = kept
        d_fake, c_fake = _judge(D, t.augment(fake), y)
        loss = loss_for(parts.cfg.loss).g(d_fake.float())
        stats = {}
        if c_fake is not None:
            class_loss = labels.class_loss(parts, c_fake, y)
            stats["class_G"] = class_loss.detach()
            loss = loss + class_loss
    t.update("G", loss)
    return {"loss_G": loss.detach()} | stats


def algorithm1(parts: Parts, data, t, labels: Labels | None = None) -> dict:
    """k = n_critic D steps, then one G step (on the last D step's fakes with train.reuse_fakes); their stats.

    With `labels`, G and D take the labels (the conditional family): D's fakes share the real batch's labels.
    """
    k = parts.cfg.train.n_critic
    for i in range(k):
        stats, kept = d_step(parts, data, t, parts.cfg.train.reuse_fakes and i == k - 1, labels)
    stats = stats | g_step(parts, t, kept, labels)
    if path_length.due(parts.cfg, t.step):  # StyleGAN2's lazy path-length update of G
        stats |= path_length.path_length_step(parts, t, noise, labels)
    return stats


def train_step(parts: Parts, data, t) -> dict:
    """Algorithm 1 of Goodfellow et al. 2014: k = n_critic D steps, then one G step."""
    return algorithm1(parts, data, t)


def inputs(parts: Parts, n: int | None, generator: torch.Generator, truncation=None, walk=None,
           style_mix=None) -> dict:
    """Latent noise for n samples (default 64), drawn on the CPU from the given generator, or a walk or a
    style-mixing grid (gankit.objectives.latent_tools); with `truncation`, psi for each (see generate)."""
    if walk is not None and style_mix is not None:
        raise GankitError("give --walk or --style-mix, not both.")
    if walk is not None:
        out = latent_tools.walk_inputs(parts, n, generator, walk)
    elif style_mix is not None:
        out = latent_tools.mixing_inputs(parts, n, generator, style_mix)
    else:
        out = {"z": sample_z(n or 64, parts.cfg.model.z_dim, parts.cfg.model.z_dist, generator)}
    return out | truncated(len(out["z"]), truncation)


def truncated(n: int, truncation) -> dict:
    """{"psi": (n,)} for `--truncation PSI`, nothing without it."""
    return {} if truncation is None else {"psi": torch.full((n,), truncation_psi(truncation))}


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Samples of the sampling net (G, or its EMA copy) on the given inputs, in eval mode, on the CPU; psi
    truncates toward the mean w of a style-based G, else toward z's mean."""
    return generate_from(parts.sampling_net(), inputs["z"], chunk, **style_inputs(inputs)).cpu()


def style_inputs(inputs: dict) -> dict:
    """The per-sample inputs of `inputs` that G takes beside z and y (truncation, walks, mixing)."""
    return {k: inputs[k] for k in STYLE_INPUTS if k in inputs}


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """Samples of the probe noise; for toy data, real samples and (1-D) D's output and G's map too."""
    fake = generate(parts, {"z": parts.buffers["probe_z"]})  # (N, ...) on the probe's device
    if data.kind == "image":
        return {"kind": "grid", "images": fake}
    out = toy_preview(fake, data)
    if data.shape == (1,):
        out["d_fn"] = _d_probability(parts) if loss_for(parts.cfg.loss).probabilistic else None
        z = parts.buffers["probe_z"]
        out["g_map"] = (z[:, 0], fake[:, 0]) if z.shape[1] == 1 else None
    return out


def _d_probability(parts: Parts):
    D = parts.nets["D"]

    def d_fn(x: torch.Tensor) -> torch.Tensor:
        was = D.training
        D.eval()
        try:
            device = next(D.parameters()).device
            return torch.sigmoid(D(x.to(device)).float()).to(x.device)
        finally:
            D.train(was)
    return d_fn


# What single-image and toy families train on, and how a refusal names it.
SAMPLE_DATA = (("toy", "image", "multi_label"),
               "single images or toy samples (fashion_mnist, digits, cifar10, a folder of images, ring8, ...)")

EVALUATION = scores.evaluation(inputs, generate, labelled=False)
TRUNCATION = Argument("truncation", ("sample",), "truncation psi from 0 to 1: toward the mean w of a stylegan2 G, "
                      "toward z's mean for the others (precision up, variety down as psi falls)", metavar="PSI")
WALK = Argument("walk", ("sample",), "a latent walk of this many frames (in w for stylegan2, slerp in z otherwise): "
                "--out walk.gif animates it, a .png shows a row per sample", metavar="FRAMES")
STYLE_MIX = Argument("style_mix", ("sample",), "a stylegan2 style-mixing grid: rows give the styles below this "
                     "layer (coarse), columns the rest (fine)", metavar="LAYER", flags=("--style-mix",))

def lazy_regularisation(cfg) -> str | None:
    """Why the step cannot be one CUDA graph: lazy R1 or path-length regularisation on some steps only."""
    if cfg.loss.penalty == "r1" and cfg.loss.r1_every > 1:
        return f"loss.r1_every={cfg.loss.r1_every} adds R1 on some steps only"
    if cfg.loss.pl_weight > 0 and cfg.loss.pl_every > 1:
        return f"loss.pl_every={cfg.loss.pl_every} regularises path lengths on some steps only"
    return None


def export(parts: Parts) -> Export:
    """The sampling net, from noise z (batch, z_dim) to samples."""
    m = parts.cfg.model
    return Export(parts.sampling_net(), {"z": sample_z(2, m.z_dim, m.z_dist)},
                  {"z": f"{'uniform on [-1, 1]' if m.z_dist == 'uniform' else 'standard normal'}, {m.z_dim} numbers"})


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=EVALUATION, writers=IMAGE_WRITERS, data=SAMPLE_DATA, draw=draw_picture, export=export,
                arguments=(TRUNCATION, WALK, STYLE_MIX), augments=True, graphable=lazy_regularisation)
