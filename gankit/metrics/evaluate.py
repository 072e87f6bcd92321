"""Score generated samples against a dataset: the glue between features and metric math."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Callable

import torch
from safetensors.torch import load_file, save

from gankit.atomic import atomic_write
from gankit.data import load_dataset, to_float
from gankit.data.cache import cache_dir
from gankit.errors import GankitError
from gankit.metrics.cas import CAS_EPOCHS, classification_accuracy_score
from gankit.metrics.conditional import check_labels, gan_test_accuracy, intra_class_fid
from gankit.metrics.features import default_extractor, extract_features, load_extractor
from gankit.metrics.frechet import fid_from_features
from gankit.metrics.inception_score import inception_score
from gankit.metrics.kid import kid
from gankit.metrics.memorization import memorization_report
from gankit.metrics.modes import mode_coverage
from gankit.metrics.parzen import parzen_report, validation_size
from gankit.metrics.prdc import density_coverage, precision_recall
from gankit.metrics.toy import kl_js_to_density, wasserstein1

FEATURE_METRICS = ("fid", "kid", "is", "pr", "dc")
IMAGE_METRICS = FEATURE_METRICS + ("parzen", "memorization")
CONDITIONAL_METRICS = ("intra_fid", "gan_test", "cas")  # need the labels the images were generated for
CONDITIONAL_DEFAULTS = ("intra_fid", "gan_test")  # added to DEFAULTS for a conditional generator (cas takes minutes)
TOY_METRICS = ("modes", "w1")
DEFAULTS = {"image": ("fid", "kid", "is", "pr", "dc"), "toy1d": ("w1",), "toy2d": ("modes",)}
LOWER_IS_BETTER = {"fid", "kid", "w1", "kl", "js", "intra_fid"}


def data_kind(dataset) -> str:
    """'image', 'toy1d' or 'toy2d'."""
    if dataset.kind == "image":
        return "image"
    return "toy1d" if dataset.shape == (1,) else "toy2d"


def parse_metrics(text: str | None, kind: str, conditional: bool = False) -> list[str]:
    """A comma list of metric names (or None for the defaults) checked against the data kind.

    conditional: the samples come with the labels they were generated for, which
    allows CONDITIONAL_METRICS on image data.
    """
    if not text:
        return list(DEFAULTS[kind])
    names = [m.strip() for m in text.split(",") if m.strip()]
    allowed = TOY_METRICS if kind != "image" else IMAGE_METRICS + (CONDITIONAL_METRICS if conditional else ())
    for name in names:
        if name in CONDITIONAL_METRICS and kind == "image" and not conditional:
            raise GankitError(f"metric '{name}' needs the labels the samples were generated for; "
                              "score a conditional generator, or drop it.")
        if name not in allowed:
            raise GankitError(f"metric '{name}' does not apply to {kind} data; choose from {', '.join(allowed)}.")
    return names


def reference_features(images_u8: torch.Tensor, extractor_name: str, extractor) -> tuple[torch.Tensor, torch.Tensor]:
    """Features and class probabilities of a dataset, cached by its content and the extractor."""
    digest = hashlib.sha256(images_u8.contiguous().numpy().tobytes()).hexdigest()[:20]
    path = cache_dir() / f"features-{extractor_name}-{extractor.weights_id}-{digest}.safetensors"
    if path.is_file():
        try:
            cached = load_file(str(path))
            return cached["features"], cached["probs"]
        except Exception:  # a damaged cache entry is recomputed, never trusted
            pass
    features, probs = extract_features(images_u8, extractor)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda f: f.write(save({"features": features.contiguous(), "probs": probs.contiguous()})))
    return features, probs


def split_of(data_cfg, split: str):
    """The same dataset config with another split, whole (no limit or per-class selection; falls back to train
    where there is no test)."""
    return dataclasses.replace(data_cfg, split=split, limit=None, per_class=None)


def feature_metrics(names, real_f, real_p, fake_f, fake_p, generator) -> dict:
    """The feature-based metrics in `names` (fid, kid, is, pr, dc) from precomputed features."""
    out = {}
    if "fid" in names:
        out["fid"] = fid_from_features(real_f, fake_f)
    if "kid" in names:
        out["kid"], out["kid_std"] = kid(real_f, fake_f, subset_size=min(1000, len(real_f), len(fake_f)),
                                         generator=generator)
    if "is" in names:
        out["is"], out["is_std"] = inception_score(fake_p)
    if "pr" in names:
        out.update(precision_recall(real_f, fake_f, k=3))
    if "dc" in names:
        out.update(density_coverage(real_f, fake_f, k=5))
    return out


class ImageReference:
    """An image dataset's test split and, once a metric needs them, its features: what generated images are
    scored against. Built once, it scores many sample sets (train.eval_every) without reloading anything.

    Features are extracted on `device`; the metric math runs in float64 on the CPU.
    """

    def __init__(self, data_cfg, extractor_name: str | None = None, inception_weights: str | None = None,
                 device: torch.device = torch.device("cpu")):
        self.data_cfg, self.device, self.inception_weights = data_cfg, torch.device(device), inception_weights
        self.test = load_dataset(split_of(data_cfg, "test"))
        self.extractor_name = extractor_name or default_extractor(data_cfg.name, tuple(self.test.shape))
        self._extractor = self._real = None

    def real_features(self):
        """(extractor, real features, real class probabilities), loaded on first use."""
        if self._extractor is None:
            self._extractor = load_extractor(self.extractor_name, self.inception_weights).to(self.device)
            self._real = reference_features(self.test.images, self.extractor_name, self._extractor)
        return self._extractor, *self._real

    def score(self, fake: torch.Tensor, names, seed: int = 0, fake_labels: torch.Tensor | None = None) -> dict:
        """The metrics in `names` that score features or pixels; per-class ones where fake_labels are given."""
        test = self.test
        out: dict = {"n_fake": len(fake), "n_real": len(test)}
        generator = torch.Generator().manual_seed(seed)
        by_class = {"intra_fid", "gan_test"} & set(names)
        if set(names) & set(FEATURE_METRICS) or by_class:
            extractor, real_f, real_p = self.real_features()
            fake_f, fake_p = extract_features(fake, extractor)
            out["extractor"] = self.extractor_name
            out.update(feature_metrics(names, real_f, real_p, fake_f, fake_p, generator))
            if "intra_fid" in by_class:
                out.update(intra_class_fid(real_f, test.labels, fake_f, fake_labels, test.num_classes))
            if "gan_test" in by_class:
                out.update(gan_test_accuracy(fake_p, fake_labels, test.num_classes))
        if "parzen" in names or "memorization" in names:
            out.update(pixel_metrics(fake, test, self.data_cfg, names))
        return out


def evaluate_images(fake: torch.Tensor, data_cfg, names: list[str], extractor_name: str | None = None,
                    inception_weights: str | None = None, seed: int = 0,
                    device: torch.device = torch.device("cpu")) -> dict:
    """Score generated images (N, C, H, W) in [-1, 1] against the dataset's test split (or train)."""
    needs_labels = [n for n in names if n in CONDITIONAL_METRICS]
    if needs_labels:
        raise GankitError(f"metric '{needs_labels[0]}' needs the labels the images were generated for; "
                          "call evaluate_conditional with them.")
    return ImageReference(data_cfg, extractor_name, inception_weights, device).score(fake, names, seed)


def evaluate_conditional(fake: torch.Tensor, fake_labels: torch.Tensor, data_cfg, names: list[str],
                         extractor_name: str | None = None, inception_weights: str | None = None, seed: int = 0,
                         device: torch.device = torch.device("cpu"), cas_epochs: float = CAS_EPOCHS,
                         cas_draw: Callable[[int], tuple[torch.Tensor, torch.Tensor]] | None = None,
                         reference: ImageReference | None = None) -> dict:
    """Score generated images (N, C, H, W) in [-1, 1] with the labels (N,) they were generated for.

    `names` may mix CONDITIONAL_METRICS (intra_fid, gan_test, cas) with IMAGE_METRICS;
    real labels come from the dataset's splits. cas trains two classifiers on
    `device` for cas_epochs passes over the training split (the real one is cached), on
    cas_draw(n) -> (images, labels) when given, called with n = the training split's size
    (as many generated images as real ones, as the metric asks), else on `fake`.
    """
    reference = reference or ImageReference(data_cfg, extractor_name, inception_weights, device)
    test = reference.test
    if test.labels is None or test.num_classes < 1:
        raise GankitError(f"conditional metrics need class labels, and {data_cfg.name} has none; "
                          "choose a labelled dataset (fashion_mnist, digits, cifar10, ...).")
    fake_labels = check_labels(fake_labels, len(fake), test.num_classes, "generated images")
    out = reference.score(fake, names, seed, fake_labels)
    if "cas" in names:
        train = load_dataset(split_of(data_cfg, "train"))
        cas_fake, cas_labels = cas_draw(len(train)) if cas_draw is not None else (fake, fake_labels)
        out.update(classification_accuracy_score(cas_fake, cas_labels, train, test, epochs=cas_epochs, seed=seed,
                                                 device=reference.device, cache_dir=cache_dir()))
        out["cas_n_fake"] = len(cas_fake)
    return out


def pixel_metrics(fake: torch.Tensor, test, data_cfg, names) -> dict:
    """Parzen log-likelihood and memorization, on pixels in [0, 1] against the training split."""
    out = {}
    train = load_dataset(split_of(data_cfg, "train"))
    flat = lambda x: ((x + 1) / 2).flatten(1).double()  # pixels in [0, 1], as the 2014 protocol
    fake_px, test_px = flat(fake), flat(test.as_float())
    if "parzen" in names:
        n_val = validation_size(len(train))
        report = parzen_report(fake_px, flat(to_float(train.images[-n_val:])), test_px)
        out.update({f"parzen_{k}": v for k, v in report.items()})
    if "memorization" in names:
        mem = memorization_report(fake_px, flat(train.as_float()), test_px)
        out.update({f"memorization_{k}": v for k, v in mem.items()})
    return out


def evaluate_toy(fake: torch.Tensor, dataset, names: list[str], seed: int = 0) -> dict:
    """Score toy samples (N, dim) against the true distribution."""
    out: dict = {"n_fake": len(fake)}
    if "modes" in names:
        out.update(mode_coverage(fake, dataset.modes, dataset.mode_std))
    if "w1" in names:
        real, _ = dataset.sample(len(fake), torch.Generator().manual_seed(seed))
        out["w1"] = wasserstein1(fake[:, 0], real[:, 0])
        # The grid spans both the data and the samples, so no sample is left out of the histogram.
        lo = min(float(dataset.modes.min()) - 6 * dataset.mode_std, float(fake.min()))
        hi = max(float(dataset.modes.max()) + 6 * dataset.mode_std, float(fake.max()))
        out.update(kl_js_to_density(fake[:, 0], dataset.density, lo, hi))
        out["mean"], out["std"] = fake[:, 0].mean().item(), fake[:, 0].std().item()
    return out


def save_memorization_pairs(fake: torch.Tensor, data_cfg, result: dict, path: Path) -> Path | None:
    """A picture of the closest generated/training pairs: each row a generated sample beside its neighbour."""
    if "memorization_closest_fake" not in result:
        return None
    from gankit.viz import save_grid

    train = load_dataset(split_of(data_cfg, "train"))
    pairs = []
    for i, j in zip(result["memorization_closest_fake"], result["memorization_closest_train"]):
        pairs += [fake[i], train.as_float(j, j + 1)[0]]
    return save_grid(torch.stack(pairs), path, nrow=2, scale=max(1, 64 // fake.shape[-1]))
