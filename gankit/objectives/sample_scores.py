"""What the noise-to-sample families (gan, conditional) are scored on: image metrics against the test split in
a feature network's space, or, on toy data, distances to the known distribution.

Each family's Evaluation (gankit.objectives.parts) is built from these with its own inputs / generate, so
`gankit eval` and train.eval_every score exactly what `gankit sample` draws.
"""

from __future__ import annotations

import torch

from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.metrics.evaluate import (ImageReference, evaluate_conditional, evaluate_toy, save_memorization_pairs)
from gankit.metrics.features import extract_features
from gankit.metrics.path_length import EPSILON, ppl_from_features
from gankit.objectives.latent_tools import interpolation
from gankit.objectives.parts import Evaluation
from gankit.objectives.sampling import sample_z

# Metric group (what --metrics names) -> the metrics it reports that can steer the best checkpoint.
IMAGE_GROUPS = {"fid": ("fid",), "kid": ("kid",), "is": ("is",), "pr": ("precision", "recall"),
                "dc": ("density", "coverage"), "parzen": ("parzen_mean",),
                "memorization": ("memorization_median_ratio",), "ppl": ("ppl",)}
LABELLED_GROUPS = {"intra_fid": ("intra_fid",), "gan_test": ("gan_test",), "cas": ("cas",)}
TOY_GROUPS = {"w1": ("w1", "kl", "js"), "modes": ("modes_reached", "high_quality_share")}
IMAGE_DEFAULTS = ("fid", "kid", "is", "pr", "dc")
LABELLED_DEFAULTS = ("intra_fid", "gan_test")  # cas trains classifiers for minutes: only when asked
LOWER_IS_BETTER = frozenset({"fid", "kid", "w1", "kl", "js", "intra_fid", "ppl"})


def groups(spec, labelled: bool) -> dict:
    """The metric groups of samples of this data (labelled: the samples come with the labels they were drawn for)."""
    if spec.kind == "toy":
        return TOY_GROUPS
    return IMAGE_GROUPS | (LABELLED_GROUPS if labelled else {})


def defaults(spec, labelled: bool) -> tuple[str, ...]:
    """The groups `gankit eval` scores without --metrics."""
    if spec.kind == "toy":
        return ("w1",) if tuple(spec.shape) == (1,) else ("modes",)
    return IMAGE_DEFAULTS + (LABELLED_DEFAULTS if labelled else ())


def best(cfg, spec) -> str:
    """train.eval_metric=auto: FID for images, W1 for 1-D toy data, modes reached for 2-D."""
    if spec.kind == "toy":
        return "w1" if tuple(spec.shape) == (1,) else "modes_reached"
    return "fid"


def draw(parts, inputs_fn, generate_fn, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """n samples of the family (as `gankit sample --seed seed` draws them) and their labels, if any."""
    inputs = inputs_fn(parts, n, torch.Generator().manual_seed(seed))
    return generate_fn(parts, inputs, chunk=256), inputs.get("y")


def prepare(parts, request, inputs_fn, generate_fn, labelled: bool):
    """score() -> the request's metrics of n fresh samples; the test split and its features are read once."""
    cfg, names = parts.cfg, list(request.groups)
    if parts.spec.kind == "toy":
        data = load_dataset(cfg.data)
        return lambda: evaluate_toy(draw(parts, inputs_fn, generate_fn, request.n, request.seed)[0], data, names,
                                    request.seed)
    reference = ImageReference(cfg.data, request.extractor, request.inception_weights, torch.device(request.device))
    if labelled and (reference.test.labels is None or reference.test.num_classes < 1):
        raise GankitError(f"conditional metrics need class labels, and {cfg.data.name}'s test split has none; "
                          "evaluate with --metrics fid (or another image metric).")

    def score() -> dict:
        if "ppl" in names:
            extractor = reference.real_features()[0]
            ppl = path_length(parts, inputs_fn, generate_fn, extractor, request.n, request.seed)
            if names == ["ppl"]:
                return {"ppl": ppl, "extractor": reference.extractor_name}
        fake, labels = draw(parts, inputs_fn, generate_fn, request.n, request.seed)
        if labelled:
            # CAS, if asked for, trains on fresh samples, as many as the real training split (Ravuri and Vinyals 2019).
            cas_draw = lambda count: draw(parts, inputs_fn, generate_fn, count, request.seed + 1)
            result = evaluate_conditional(fake, labels, cfg.data, names, seed=request.seed, cas_draw=cas_draw,
                                          reference=reference)
        else:
            result = reference.score(fake, names, request.seed)
        if request.out_dir is not None:
            save_memorization_pairs(fake, cfg.data, result, request.out_dir / "memorization.png")
        return result | ({"ppl": ppl} if "ppl" in names else {})
    return score


def path_length(parts, inputs_fn, generate_fn, extractor, n: int, seed: int) -> float:
    """Perceptual path length of n interpolation steps (gankit.metrics.path_length): in w for a style-based G
    (its z_end / at inputs), spherical in z otherwise; labels, where the family draws them, stay fixed."""
    gen = torch.Generator().manual_seed(seed)
    base = inputs_fn(parts, n, gen)
    m = parts.cfg.model
    end, t = sample_z(len(base["z"]), m.z_dim, m.z_dist, gen), torch.rand(len(base["z"]), generator=gen)
    features = [extract_features(generate_fn(parts, base | interpolation(parts, base["z"], end, at), chunk=256),
                                 extractor)[0] for at in (t, t + EPSILON)]
    return ppl_from_features(*features)


def evaluation(inputs_fn, generate_fn, labelled: bool) -> Evaluation:
    """The Evaluation of a noise-to-sample family with these inputs / generate (labelled: it draws by class)."""
    return Evaluation(groups=lambda cfg, spec: groups(spec, labelled),
                      defaults=lambda cfg, spec: defaults(spec, labelled), best=best, lower_is_better=LOWER_IS_BETTER,
                      prepare=lambda parts, request: prepare(parts, request, inputs_fn, generate_fn, labelled))
