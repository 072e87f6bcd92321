"""What a config may hold: the allowed values, numeric bounds and cross-key rules that validate() checks.

The shared sections' rules are here; a family's own keys carry theirs in its
options dataclass (gankit.objectives.parts.option), and the data it trains on
in its `data` declaration. Data and model names are checked against DATASETS
and GENERATORS / DISCRIMINATORS by the code that builds them. Every failure is
a GankitError that names the key and what it allows.
"""

from __future__ import annotations

import dataclasses
import math
import re

from gankit.augment import KINDS as AUGMENT_KINDS
from gankit.augment.diffaug import TRANSFORMS as DIFFAUG_TRANSFORMS, parse_policy
from gankit.errors import GankitError
from gankit.data import TEXT_DATASETS
from gankit.models.translation import BLOCK_GENERATORS

# Allowed values of the string options.
DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
CHOICES = {
    "data.split": ("train", "test"),
    "data.direction": ("AtoB", "BtoA"),
    "data.tokenizer": ("word", "char"),
    "model.z_dist": ("normal", "uniform"),
    "model.d_norm": ("batch", "layer", "none"),
    "model.g_norm": ("none", "batch"),
    "model.g_out": ("tanh", "sigmoid", "none"),
    "model.init": ("default", "goodfellow2014", "pacgan2018"),
    "train.precision": ("fp32", "bf16", "fp16", "auto"),
    "train.compile_mode": ("auto", "cudagraph", "default", "max-autotune-no-cudagraphs"),
    "train.augment": AUGMENT_KINDS,
    "loss.name": ("minimax", "nonsaturating", "wasserstein", "hinge", "lsgan", "fgan"),
    "loss.divergence": ("kl", "reverse_kl", "pearson", "hellinger", "js", "gan"),
    "loss.fgan_g": ("saturating", "nonsaturating"),
    "loss.penalty": ("none", "clip", "gp", "r1"),
    "g_optim.name": ("adam", "rmsprop", "sgd"),
    "d_optim.name": ("adam", "rmsprop", "sgd"),
}

# Numeric bounds: (low, high, low_inclusive); None means unbounded.
BOUNDS = {
    "train.steps": (0, None, False),
    "train.batch_size": (0, None, False),
    "train.n_critic": (0, None, False),
    "train.log_every": (0, None, False),
    "train.sample_every": (0, None, False),
    "train.checkpoint_every": (0, None, False),
    "train.keep_checkpoints": (0, None, True),
    "train.n_samples": (0, None, False),
    "train.eval_every": (0, None, True),
    "train.eval_n": (1, None, False),
    "train.ema": (0, 1, True),
    "train.minutes": (0, None, False),
    "train.dist_timeout": (0, None, False),
    "train.ada_target": (0, 1, False),
    "train.ada_kimg": (0, None, False),
    "data.per_class": (0, None, False),
    "data.scale": (1, None, False),
    "data.frames_in": (0, None, False),
    "data.frames_out": (0, None, False),
    "data.objects": (0, None, False),
    "model.mapping_layers": (0, None, False),
    "model.mapping_lr": (0, None, False),
    "model.style_mixing": (0, None, True),
    "model.mbstd_group": (0, None, False),
    "loss.r1_every": (0, None, False),
    "loss.pl_weight": (0, None, True),
    "loss.bcr_weight": (0, None, True),
    "loss.pl_every": (0, None, False),
    "data.seed": (0, None, True),
    "model.z_dim": (0, None, False),
    "model.width": (0, None, False),
    "model.g_width": (0, None, True),
    "model.d_width": (0, None, True),
    "model.maxout_pieces": (0, None, False),
    "model.dropout": (0, 1, True),
    "model.input_dropout": (0, 1, True),
    "model.g_dropout": (0, 1, True),
    "model.g_blocks": (0, None, True),
    "model.d_layers": (0, None, True),
    "data.resolution": (0, None, False),
    "data.limit": (0, None, False),
    "data.vocab_size": (2, None, True),
    "data.max_length": (0, None, False),
    "model.embed_dim": (0, None, False),
    "model.hidden_dim": (0, None, False),
    "model.d_embed_dim": (0, None, False),
    "model.d_filters": (0, None, False),
    "data.std": (0, None, False),
    "data.mode_std": (0, None, False),
    "loss.clip": (0, None, False),
    "g_optim.lr": (0, None, False),
    "d_optim.lr": (0, None, False),
    "g_optim.lr_decay": (1, None, True),
    "d_optim.lr_decay": (1, None, True),
    "g_optim.min_lr": (0, None, True),
    "d_optim.min_lr": (0, None, True),
    "g_optim.final_momentum": (0, 1, True),
    "d_optim.final_momentum": (0, 1, True),
    "g_optim.momentum": (0, 1, True),
    "d_optim.momentum": (0, 1, True),
    "g_optim.weight_decay": (0, None, True),
    "d_optim.weight_decay": (0, None, True),
    "loss.gp_weight": (0, None, True),
    "loss.r1_gamma": (0, None, True),
    "data.radius": (0, None, False),
    # The noise stream's seed is 3 * seed + 2, which torch takes up to 2^64 - 1.
    "train.seed": (0, (2**64 - 3) // 3, True),
}
# Keys that hold lists of numbers, each bounded alike.
LIST_BOUNDS = {
    "g_optim.betas": (0, 1, True),
    "d_optim.betas": (0, 1, True),
    "model.g_hidden": (0, None, False),
    "model.d_hidden": (0, None, False),
}


def flatten(tree: dict, prefix: str = "") -> dict:
    """A nested dict as {"section.key": value}."""
    flat = {}
    for k, v in tree.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            flat.update(flatten(v, key + "."))
        else:
            flat[key] = v
    return flat


def validate(cfg, family):
    """Check a gankit.config.Config's choices, numeric bounds and cross-key rules, its family's own keys, and
    that the family can train on its data; return it unchanged."""
    flat = flatten({f.name: getattr(cfg, f.name) if not dataclasses.is_dataclass(getattr(cfg, f.name))
                    else dataclasses.asdict(getattr(cfg, f.name)) for f in dataclasses.fields(cfg) if f.name != "options"})
    for key, allowed in CHOICES.items():
        if flat[key] not in allowed:
            raise GankitError(f"config key '{key}' is '{flat[key]}'; allowed: {', '.join(allowed)}.")
    _check_finite(flat)
    for key, bounds in BOUNDS.items():
        _check_bounds(key, flat[key], *bounds)
    for key, bounds in LIST_BOUNDS.items():
        for v in flat[key]:
            _check_bounds(key, v, *bounds, whole=flat[key])
    if not DEVICE.match(flat["train.device"]):
        raise GankitError(f"config key 'train.device' is '{flat['train.device']}'; allowed: auto, cpu, cuda, "
                          "cuda:N (e.g. cuda:1) or mps.")
    if flat["model.style_mixing"] > 1:
        raise GankitError(f"config key 'model.style_mixing' is {flat['model.style_mixing']}; it is a probability, "
                          "from 0 to 1.")
    if flat["data.channels"] not in (None, 1, 3):
        raise GankitError(f"config key 'data.channels' is {flat['data.channels']}; allowed: 1 or 3.")
    _check_meaningful(cfg, flat)
    _check_options(cfg)
    _check_data_for_objective(flat, family)
    _check_augment(flat, family)
    for opt in ("g_optim", "d_optim"):
        if len(flat[f"{opt}.betas"]) != 2:
            raise GankitError(f"config key '{opt}.betas' needs two numbers, e.g. [0.5, 0.999].")
        ramp = flat[f"{opt}.momentum_ramp"]
        if len(ramp) != 2 or not 0 <= ramp[0] <= ramp[1]:
            raise GankitError(f"config key '{opt}.momentum_ramp' is {ramp}; give [first, last] G steps with "
                              "0 <= first <= last, e.g. [500, 125000].")
        _check_linear_decay(opt, flat)
        lr_from = flat[f"{opt}.lr_from"]
        if lr_from is not None and (len(lr_from) != 2 or lr_from[0] < 0 or lr_from[1] <= 0
                                    or lr_from[0] != int(lr_from[0])):
            raise GankitError(f"config key '{opt}.lr_from' is {lr_from}; give [step, lr] with a whole step >= 0 "
                              "and a rate above 0, e.g. [18750, 1e-4].")
        if flat[f"{opt}.final_momentum"] is not None and flat[f"{opt}.name"] == "adam":
            raise GankitError(f"config key '{opt}.final_momentum' needs {opt}.name=sgd or rmsprop; Adam has "
                              "no momentum to ramp (set its betas instead).")
    return cfg


# Data gankit makes without reading a file (the toy distributions, scikit-learn's digits).
BUILT_IN_DATA = ("gaussian1d", "ring8", "grid25", "digits")


def _check_augment(flat: dict, family) -> None:
    """train.augment (and bCR) need a family that passes D's images through them; the policy needs known
    transforms."""
    if flat["train.augment"] != "none" and not family.augments:
        raise GankitError(f"config key 'train.augment' is '{flat['train.augment']}', but objective="
                          f"{flat['objective']} has no image discriminator that augmentation applies to; set "
                          "train.augment=none.")
    from gankit.data import data_kind_of

    if flat["train.augment"] != "none" and data_kind_of(flat["data.name"]) not in ("image", "multi_label"):
        raise GankitError(f"config key 'train.augment' transforms images, and data.name={flat['data.name']} gives "
                          "no images; set train.augment=none or train on images.")
    if flat["loss.bcr_weight"] > 0 and not (family.augments and data_kind_of(flat["data.name"]) in ("image",
                                                                                             "multi_label")):
        from gankit.objectives import OBJECTIVES

        those = " or ".join(name for name, f in OBJECTIVES.items() if f.augments)
        raise GankitError(f"config key 'loss.bcr_weight' asks D for the same logit on an image flipped and shifted; "
                          f"objective={flat['objective']} on data.name={flat['data.name']} has no such images, so "
                          f"set loss.bcr_weight=0 (it applies to objective {those} on images).")
    policy = parse_policy(flat["train.augment_policy"])
    unknown = [name for name in policy if name not in DIFFAUG_TRANSFORMS]
    if unknown or not policy:
        raise GankitError(f"config key 'train.augment_policy' is '{flat['train.augment_policy']}'; give a comma "
                          f"list of {', '.join(DIFFAUG_TRANSFORMS)} (e.g. color,translation,cutout).")


def _check_linear_decay(opt: str, flat: dict) -> None:
    decay = flat[f"{opt}.linear_decay"]
    if decay is None:
        return
    if len(decay) != 2 or not 0 <= decay[0] < decay[1]:
        raise GankitError(f"config key '{opt}.linear_decay' is {decay}; give [start, end] G steps with "
                          "0 <= start < end, e.g. [100000, 200000].")
    if flat[f"{opt}.lr_decay"] != 1.0:
        raise GankitError(f"config keys '{opt}.linear_decay' and '{opt}.lr_decay' are two schedules for one "
                          "learning rate; keep one.")


def _check_finite(flat: dict) -> None:
    """NaN compares false with every bound, so it would pass them all: refuse NaN and infinity outright."""
    for key, v in flat.items():
        values = v if isinstance(v, list) else [v]
        if any(isinstance(x, float) and not math.isfinite(x) for x in values):
            raise GankitError(f"config key '{key}' is {v}; it must be a finite number.")


def _check_bounds(key: str, v, low, high, inclusive: bool, whole=None) -> None:
    if v is None:
        return
    bad_low = low is not None and (v < low or (v == low and not inclusive))
    bad_high = high is not None and v >= high
    if bad_low or bad_high:
        rng = f"{'>=' if inclusive else '>'} {low}" + (f" and < {high}" if high is not None else "")
        which = "each value" if whole is not None else "it"
        raise GankitError(f"config key '{key}' is {whole if whole is not None else v}; {which} must be {rng}.")


# Keys that mean something only beside another setting: key -> (the setting, its values, what to say).
# model.generator / model.discriminator stand for the builder chosen, by its own key or by model.name.
ONLY_WITH = {
    "model.g_dropout": ("model.generator", ("cgan2014", "unet"), "the cgan2014 or unet generator"),
    "model.g_blocks": ("model.generator", BLOCK_GENERATORS,
                       f"the {', '.join(BLOCK_GENERATORS[:-1])} or {BLOCK_GENERATORS[-1]} generator"),
    "model.d_layers": ("model.discriminator", ("patchgan",), "the patchgan discriminator"),
    "model.g_norm": ("model.generator", ("mlp", "maxout"), "the mlp generator (model.name mlp or maxout)"),
    "loss.divergence": ("loss.name", ("fgan",), "loss.name=fgan"),
    "loss.fgan_g": ("loss.name", ("fgan",), "loss.name=fgan"),
    "data.direction": ("data.kind", ("paired",), "paired data"),
    "train.augment_policy": ("train.augment", ("diffaug",), "train.augment=diffaug"),
    "train.ada_target": ("train.augment", ("ada",), "train.augment=ada"),
    "train.ada_kimg": ("train.augment", ("ada",), "train.augment=ada"),
    "data.jitter": ("data.kind", ("paired", "unpaired"), "paired or unpaired data"),
    "data.scale": ("data.kind", ("super_resolution",), "super-resolution data"),
    "data.frames_in": ("data.kind", ("sequence",), "sequence data (moving_fashion, fork)"),
    "data.frames_out": ("data.kind", ("sequence",), "sequence data (moving_fashion, fork)"),
    "data.objects": ("data.name", ("moving_fashion",), "data.name=moving_fashion"),
    "data.attributes": ("data.kind", ("multi_label",), "data.name=attributes"),
    "data.attributes_file": ("data.kind", ("multi_label",), "data.name=attributes"),
    "data.tokenizer": ("data.name", TEXT_DATASETS, "real text (data.name text or wordnet)"),
    "data.lowercase": ("data.name", TEXT_DATASETS, "real text (data.name text or wordnet)"),
    "data.vocab_size": ("data.name", TEXT_DATASETS, "real text (data.name text or wordnet)"),
    "data.max_length": ("data.name", TEXT_DATASETS, "real text (data.name text or wordnet)"),
    "model.embed_dim": ("model.generator", ("lstm",), "the lstm generator"),
    "model.mapping_layers": ("model.generator", ("stylegan2",), "the stylegan2 generator"),
    "model.mapping_lr": ("model.generator", ("stylegan2",), "the stylegan2 generator"),
    "model.style_mixing": ("model.generator", ("stylegan2",), "the stylegan2 generator"),
    "model.mbstd_group": ("model.discriminator", ("stylegan2",), "the stylegan2 discriminator"),
    "loss.r1_every": ("loss.penalty", ("r1",), "loss.penalty=r1"),
    "loss.pl_weight": ("model.generator", ("stylegan2",), "the stylegan2 generator"),
    "loss.pl_every": ("model.generator", ("stylegan2",), "the stylegan2 generator"),
    "model.hidden_dim": ("model.generator", ("lstm",), "the lstm generator"),
    "model.d_embed_dim": ("model.discriminator", ("textcnn",), "the textcnn discriminator"),
    "model.d_filters": ("model.discriminator", ("textcnn",), "the textcnn discriminator"),
}


def _check_meaningful(cfg, flat: dict) -> None:
    """Refuse a key changed from its default where the chosen model, loss or data never reads it."""
    from gankit.data import DATASETS, data_kind_of
    from gankit.models.translation import network_names

    defaults = flatten({k: v for k, v in dataclasses.asdict(type(cfg)()).items() if k != "options"})
    generator, discriminator = network_names(cfg.model)
    chosen = dict(flat, **{"model.generator": generator, "model.discriminator": discriminator,
                           "data.kind": data_kind_of(cfg.data.name)})
    for key, (setting, allowed, needs) in ONLY_WITH.items():
        if flat[key] != defaults[key] and chosen[setting] not in allowed:
            if setting == "data.kind":  # name the data that gives such a kind
                setting, allowed = "data.name", [name for name in DATASETS if data_kind_of(name) in allowed]
            fix = f"{setting}={allowed[0]}" if len(allowed) == 1 else f"{setting} to one of {', '.join(allowed)}"
            raise GankitError(f"config key '{key}' only applies with {needs}; remove it or set {fix}.")
    if flat["data.path"] is not None and flat["data.name"] in BUILT_IN_DATA:
        raise GankitError(f"config key 'data.path' means nothing for data.name={flat['data.name']}, which gankit "
                          "makes without files; remove it, or use data.name=folder (or idx, cifar10) for your own.")


def _check_options(cfg) -> None:
    """The family's own keys against the choices and bounds its options dataclass declares."""
    if cfg.options is None:
        return
    for f in dataclasses.fields(cfg.options):
        key, value = f"{cfg.objective}.{f.name}", getattr(cfg.options, f.name)
        choices = f.metadata.get("choices")
        if choices is not None and value not in choices:
            raise GankitError(f"config key '{key}' is '{value}'; allowed: {', '.join(map(str, choices))}.")
        bounds = f.metadata.get("bounds")
        if bounds is not None and isinstance(value, (int, float)):
            _check_finite({key: value})
            _check_bounds(key, value, *bounds)


DATA_KINDS = {"toy": "toy samples", "image": "single images", "multi_label": "images with multi-label attributes",
              "tokens": "token sequences (text)",
              "paired": "paired translation data (A and B images)",
              "unpaired": "unpaired translation data (A and B images)",
              "super_resolution": "super-resolution pairs (low- and high-resolution images)",
              "sequence": "sequences of frames (past and future)"}


def _check_data_for_objective(flat: dict, family) -> None:
    """Refuse data the chosen family cannot read (pairs for an image family, single images for pix2pix, ...)."""
    from gankit.data import data_kind_of

    name, objective = flat["data.name"], flat["objective"]
    kinds, what = family.data
    kind = data_kind_of(name)
    if kind is not None and kind not in kinds:
        raise GankitError(f"objective={objective} trains on {what}, and data.name={name} gives "
                          f"{DATA_KINDS[kind]}; choose data of that kind or another objective.")
