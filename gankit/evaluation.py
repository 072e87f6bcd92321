"""`gankit eval`: score a run with its family's own evaluation, or samples from any tool against a dataset."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import numpy as np
import torch

from gankit.api import evaluate
from gankit.atomic import atomic_write
from gankit.config import DataConfig, apply_overrides, Config
from gankit.data import load_dataset, to_float
from gankit.data.folder import load_folder_path
from gankit.errors import GankitError
from gankit.metrics.evaluate import (CONDITIONAL_DEFAULTS, data_kind, evaluate_conditional, evaluate_images,
                                     evaluate_toy, parse_metrics, save_memorization_pairs)
from gankit.train.device import resolve_device


def load_samples(path: str | Path) -> torch.Tensor:
    """Samples from an .npz (`images` uint8 N x H x W x C, N x C x H x W or grey N x H x W; or `samples`
    N x dim) or an image folder."""
    path = Path(path)
    if not path.exists():
        raise GankitError(f"samples {path} do not exist; give an .npz written by `gankit sample` or a folder of images.")
    if path.is_dir():
        return load_folder_path(path).as_float()
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):  # a bare .npy array
            raise ValueError("not an archive")
        with npz:
            if "images" in npz.files:
                return _images_array(npz["images"], path)
            if "samples" in npz.files:
                return _samples_array(npz["samples"], path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        raise GankitError(f"{path} is not a readable .npz archive (truncated, or another kind of file); write it "
                          "with numpy.savez, as `gankit sample --out FILE.npz` does.") from None
    raise GankitError(f"{path} holds neither an 'images' nor a 'samples' array; see `gankit sample --out FILE.npz`.")


def _images_array(images: np.ndarray, path: Path) -> torch.Tensor:
    """uint8 images in any unambiguous layout -> float (N, C, H, W) in [-1, 1]."""
    if images.dtype != np.uint8 or images.ndim not in (3, 4):
        raise GankitError(f"{path}: 'images' must be uint8 N x H x W x C (or N x C x H x W, or grey N x H x W), "
                          f"got {images.dtype} {images.shape}.")
    if images.ndim == 3:
        images = images[..., None]  # grey (N, H, W)
    elif images.shape[-1] not in (1, 3) and images.shape[1] in (1, 3):
        images = images.transpose(0, 2, 3, 1)  # PyTorch's (N, C, H, W)
    if images.shape[-1] not in (1, 3):
        raise GankitError(f"{path}: 'images' of shape {images.shape} has neither 1 nor 3 channels first or last.")
    return to_float(torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).contiguous())


def _samples_array(samples: np.ndarray, path: Path) -> torch.Tensor:
    """Toy samples (N, dim) of finite numbers as float32."""
    if samples.dtype.kind not in "iuf" or samples.ndim != 2:
        raise GankitError(f"{path}: 'samples' must be numbers shaped N x dim, got {samples.dtype} {samples.shape}.")
    if not np.isfinite(samples).all():
        raise GankitError(f"{path}: 'samples' holds NaN or infinite values; score finite samples only.")
    return torch.from_numpy(samples.astype(np.float32))


def load_sample_labels(path: str | Path) -> torch.Tensor | None:
    """The `labels` array of an .npz written by `gankit sample` from a conditional run, else None."""
    path = Path(path)
    if path.is_dir():
        return None
    with np.load(path, allow_pickle=False) as npz:
        if "labels" not in npz:
            return None
        labels = npz["labels"]
    if labels.dtype.kind not in "iu":
        raise GankitError(f"{path}: 'labels' must be integer class indices, got {labels.dtype}.")
    return torch.from_numpy(labels.astype(np.int64))


def score(fake: torch.Tensor, data_cfg: DataConfig, metrics: str | None, extractor: str | None = None,
          inception_weights: str | None = None, seed: int = 0, device: str = "cpu",
          labels: torch.Tensor | None = None, cas_draw=None) -> dict:
    """Metrics of `fake` against the dataset `data_cfg` describes; with the labels (N,) the images were
    generated for, the conditional metrics too (intra_fid and gan_test by default, cas when asked; cas_draw(n)
    -> (images, labels) draws its training images, else it trains on `fake`)."""
    dataset = load_dataset(data_cfg)
    kind = data_kind(dataset)
    conditional = labels is not None and kind == "image"
    names = parse_metrics(metrics, kind, conditional=conditional)
    if conditional and not metrics:
        names += list(CONDITIONAL_DEFAULTS)
    if tuple(fake.shape[1:]) != tuple(dataset.shape):
        raise GankitError(f"samples are shaped {tuple(fake.shape[1:])} but {data_cfg.name} is {tuple(dataset.shape)}; "
                          "set data.resolution / data.channels to match.")
    if conditional:
        return evaluate_conditional(fake, labels, data_cfg, names, extractor, inception_weights, seed,
                                    resolve_device(device), cas_draw=cas_draw)
    if kind == "image":
        return evaluate_images(fake, data_cfg, names, extractor, inception_weights, seed, resolve_device(device))
    return evaluate_toy(fake, dataset, names, seed)


def evaluate_run(run_dir: str | Path, metrics: str | None = None, n: int = 10000, checkpoint: str = "latest",
                 extractor: str | None = None, inception_weights: str | None = None, seed: int = 0,
                 device: str = "cpu") -> dict:
    """Score a run as its family declares (gankit.evaluate); writes metrics.json (and any picture the
    evaluation draws) into the run folder."""
    from gankit.api import load_run

    run = load_run(run_dir, checkpoint, device)
    result = evaluate(run, metrics, n=n, seed=seed, device=device, extractor=extractor,
                      inception_weights=inception_weights, out_dir=run_dir)
    result = {"step": result.pop("step"), "checkpoint": checkpoint, **result}
    write_metrics(Path(run_dir) / "metrics.json", result)
    return result


def evaluate_samples(samples: str | Path, data_overrides: list[str], metrics: str | None = None,
                     extractor: str | None = None, inception_weights: str | None = None, seed: int = 0,
                     device: str = "cpu") -> dict:
    """Score samples from any source against a dataset given as data.* overrides."""
    cfg = apply_overrides(Config(), data_overrides)
    fake = load_samples(samples)
    result = score(fake, cfg.data, metrics, extractor, inception_weights, seed, device, load_sample_labels(samples))
    picture = Path(samples).with_name(Path(samples).stem + "-memorization.png")
    if not picture.exists():  # never replace a file the user has
        save_memorization_pairs(fake, cfg.data, result, picture)
    return result


def write_metrics(path: Path, result: dict) -> None:
    """Write metrics as JSON atomically (NaN and inf become null)."""
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in result.items()}
    atomic_write(path, lambda f: f.write(json.dumps(clean, indent=1).encode()))


def format_table(result: dict) -> str:
    """The scalar metrics as an aligned two-column table."""
    show = lambda v: f"{v:.4f}" if isinstance(v, float) else str(v)
    rows = []
    for k, v in result.items():
        if isinstance(v, (int, float, str)) and not isinstance(v, bool):
            rows.append((k, show(v)))
        elif k.endswith("_per_class") and isinstance(v, list):  # how good each class is: one row per class
            rows += [(f"{k.removesuffix('_per_class')}[{c}]", show(x) if x is not None else "-") for c, x in enumerate(v)]
    width = max((len(k) for k, _ in rows), default=0)
    return "\n".join(f"{k:{width}s}  {v}" for k, v in rows)
