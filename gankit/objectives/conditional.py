"""Class-conditional GANs (objective: conditional): G(z, y) and D(x, y) learn from labelled data.

The step is gan's Algorithm 1 with labels (gankit.objectives.gan.Labels). D's
fakes take the real batch's labels, so real and fake share their class mix and
a gradient penalty interpolates within one class; G's own update draws its
labels uniformly (or reuses D's fakes and their labels with train.reuse_fakes).
How the label reaches the networks is conditional.cond
(gankit.models.conditional). With conditional.cond=acgan, D also minimises the
cross-entropy of its class head on real and fake images and G minimises it on
its own (L_C of Odena et al. 2017, on logits: no softmax before the loss),
weighted by conditional.class_weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.models import build_conditional_models, initialise
from gankit.models.conditional import CONDITIONINGS
from gankit.objectives import gan, latent_tools, sample_scores as scores
from gankit.objectives.labels import balanced_labels, class_indices
from gankit.objectives.outputs import IMAGE_WRITERS, draw_picture, toy_preview
from gankit.objectives.parts import Argument, Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.sampling import generate as generate_from, sample_z

LABELLED_SOURCES = ("fashion_mnist, mnist or idx with its labels file, digits, cifar10, cifar100, a folder with "
                    "one sub-folder per class, ring8 or grid25")


@dataclass
class Options:
    """The conditional family's keys (section `conditional:`)."""

    cond: str = option("concat", "how the label reaches G and D: concat | projection | acgan",
                       choices=CONDITIONINGS, renamed_from="model.cond")
    class_weight: float = option(1.0, "cond=acgan: weight of the auxiliary classifier's loss", low=0,
                                 renamed_from="loss.class_weight")


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G(z, y) and D(x, y) for K = the data's classes, probe noise and one row of probe labels per class."""
    k = spec.num_classes
    if k < 2:
        have = "has no labels" if k == 0 else "has a single class"
        raise GankitError(f"objective conditional needs labelled data, but data.name={cfg.data.name} {have}; use "
                          f"{LABELLED_SOURCES}, or set objective=gan.")
    G, D = build_conditional_models(cfg.model, spec.shape, k, cfg.options.cond)
    initialise(G, D, cfg.model, data)
    probe = torch.Generator().manual_seed(cfg.train.seed * 3 + 3)
    per_class = max(1, cfg.train.n_samples // k)
    probe_y = torch.arange(k).repeat_interleave(per_class)  # (K * per_class,)
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_z": sample_z(len(probe_y), cfg.model.z_dim, cfg.model.z_dist, probe), "probe_y": probe_y},
    )


def _class_loss(parts: Parts, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """conditional.class_weight x the mean cross-entropy of class logits (B, K) against labels (B,)."""
    return parts.cfg.options.class_weight * F.cross_entropy(logits.float(), y)


def _uniform_labels(parts: Parts):
    k = parts.spec.num_classes
    return lambda n, t: t.draw("noise", lambda m, g: torch.randint(k, (m,), generator=g, device=t.device), n)


def train_step(parts: Parts, data, t) -> dict:
    """Algorithm 1 with labels: k = n_critic D steps, then one G step."""
    return gan.algorithm1(parts, data, t, gan.Labels(draw=_uniform_labels(parts), class_loss=_class_loss))


def inputs(parts: Parts, n: int | None, generator: torch.Generator, labels=None, truncation=None,
           walk=None, style_mix=None) -> dict:
    """Noise for n samples and their labels (n,): shared equally among `labels` (an index, a name, a comma list
    or a sequence, in the order given), else among every class, sorted. n defaults to 8 a class. A style-mixing
    grid is of one class (the one label given; the first class without --label): both sources' styles are
    mapped with it, as stylegan2-ada mixes under one label."""
    chosen = torch.arange(parts.spec.num_classes) if labels is None else torch.tensor(class_indices(parts.spec, labels))
    if walk is not None and style_mix is not None:
        raise GankitError("give --walk or --style-mix, not both.")
    if style_mix is not None:
        if labels is not None and len(chosen) != 1:
            raise GankitError(f"a style-mixing grid is of one class, and --labels names {len(chosen)}; give one, "
                              f"e.g. --label {parts.spec.class_names[int(chosen[0])]}.")
        out = latent_tools.mixing_inputs(parts, n, generator, style_mix)
        return out | {"y": chosen[:1].repeat(len(out["z"]))} | gan.truncated(len(out["z"]), truncation)
    if walk is not None:  # n samples (default 2 a class) walking, each keeping its label
        n = n or 2 * len(chosen)
        out = latent_tools.walk_inputs(parts, n, generator, walk)
        y = chosen[balanced_labels(n, len(chosen))].repeat(len(out["z"]) // n)
        return out | {"y": y} | gan.truncated(len(y), truncation)
    n = n or 8 * len(chosen)  # a row of 8 per class
    y = chosen[balanced_labels(n, len(chosen))]
    return {"z": sample_z(n, parts.cfg.model.z_dim, parts.cfg.model.z_dist, generator), "y": y} | \
        gan.truncated(n, truncation)


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """Samples of the sampling net (G, or its EMA copy) for the inputs' noise and labels, in eval mode, on the CPU."""
    return generate_from(parts.sampling_net(), inputs["z"], chunk, inputs["y"], **gan.style_inputs(inputs)).cpu()


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """One row of samples per class (a grid), or for toy data the samples coloured by their label."""
    y = parts.buffers["probe_y"]
    fake = generate(parts, {"z": parts.buffers["probe_z"], "y": y})
    if data.kind == "image":
        return {"kind": "grid", "images": fake, "nrow": len(y) // parts.spec.num_classes}
    return toy_preview(fake, data, labels=y)


EVALUATION = scores.evaluation(inputs, generate, labelled=True)

LABELS = Argument("labels", ("sample",), "samples of these classes, by index or name (e.g. 7, sneaker or 0,3,7), "
                  "one row each", metavar="CLASS[,CLASS...]", flags=("--label", "--labels"))

def export(parts: Parts) -> Export:
    """The sampling net, from noise z (batch, z_dim) and class indices y (batch,) to samples."""
    z = gan.export(parts)
    return Export(z.net, z.inputs | {"y": torch.zeros(2, dtype=torch.int64)},
                  z.meta | {"y": "class indices (int64)", "labels": list(parts.spec.class_names)})


FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=EVALUATION, writers=IMAGE_WRITERS, data=(("toy", "image"), "labelled images or toy "
                "samples (" + LABELLED_SOURCES + "); data.name=attributes gives multi-label attributes, which it "
                "cannot use"), draw=draw_picture, options=Options,
                arguments=(LABELS, gan.TRUNCATION, gan.WALK, gan.STYLE_MIX), export=export,
                augments=True, graphable=gan.lazy_regularisation)
