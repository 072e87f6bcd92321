"""CIFAR-10 / CIFAR-100 "python version" batches, unpickled with a whitelist so they cannot run code."""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path

import numpy as np
import torch

from gankit.data.images import ImageDataset, apply_options, check_split, require_path
from gankit.errors import GankitError

try:  # numpy >= 2 moved the implementation; old pickles still name numpy.core
    from numpy._core.multiarray import _reconstruct
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core.multiarray import _reconstruct


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """codecs.encode limited to latin-1, the only use Python 3 pickles of bytes make of it."""
    if encoding.lower().replace("_", "-") not in ("latin1", "latin-1", "iso-8859-1"):
        raise pickle.UnpicklingError(f"codecs.encode with encoding {encoding!r} is not allowed")
    return codecs.encode(text, "latin1")


# Everything a pickled dict of numpy arrays, lists, ints and bytes can need; nothing else.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): _latin1_encode,
    ("codecs", "encode"): _latin1_encode,
}

_LAYOUTS = {
    # name: (sub-folder, train files, test files, labels key, classes)
    "cifar10": ("cifar-10-batches-py", [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], b"labels", 10),
    "cifar100": ("cifar-100-python", ["train"], ["test"], b"fine_labels", 100),
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that only resolves the globals numpy arrays need."""

    def __init__(self, file, source: Path):
        super().__init__(file, encoding="bytes")
        self.source = source

    def find_class(self, module: str, name: str):
        """Return a whitelisted global, refusing everything else with a GankitError."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise GankitError(f"{self.source} refers to {module}.{name}, which a CIFAR batch never needs, "
                              f"so it was not loaded; use the original CIFAR python batches.") from None


def read_batch(path: Path) -> dict:
    """Unpickle one CIFAR batch file safely, wrapping every failure in a GankitError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GankitError(f"{path} does not exist; download and extract the CIFAR python version there.") from None
    except OSError as exc:
        raise GankitError(f"{path} cannot be read ({exc.strerror or exc}); check its permissions.") from None
    try:
        batch = _RestrictedUnpickler(io.BytesIO(raw), path).load()
    except GankitError:
        raise
    except Exception as exc:  # a damaged pickle can fail in many ways; all mean the same to the user
        raise GankitError(f"{path} is not a readable CIFAR batch ({type(exc).__name__}: {exc}); "
                          f"download it again.") from None
    if not isinstance(batch, dict):
        raise GankitError(f"{path} does not hold a CIFAR batch dict; point data.path at the CIFAR python batches.")
    return batch


def _batch_arrays(path: Path, labels_key: bytes, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """The (N, 3, 32, 32) uint8 images and (N,) labels of one batch file, validated."""
    batch = read_batch(path)
    data, labels = batch.get(b"data"), batch.get(labels_key)
    if not isinstance(data, np.ndarray) or labels is None:
        raise GankitError(f"{path} lacks the b'data' array or the {labels_key!r} labels; "
                          f"use the {'CIFAR-10' if classes == 10 else 'CIFAR-100'} python batches.")
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise GankitError(f"{path} holds {data.dtype} data of shape {data.shape}, not uint8 (N, 3072); "
                          f"download it again.")
    try:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError):
        raise GankitError(f"{path} has labels that are not integers; download it again.") from None
    if labels.shape[0] != data.shape[0]:
        raise GankitError(f"{path} has {labels.shape[0]} labels for {data.shape[0]} images; download it again.")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise GankitError(f"{path} has labels outside 0..{classes - 1}; check data.name matches the dataset.")
    return data.reshape(-1, 3, 32, 32), labels


def _batch_files(root: Path, name: str, split: str) -> list[Path]:
    """The batch files of a split, given the extracted folder, its parent, or one batch file."""
    folder_name, train, test, _, _ = _LAYOUTS[name]
    if not root.exists():
        raise GankitError(f"{root} does not exist; set data.path to the extracted {folder_name} folder.")
    if root.is_file():
        return [root]
    if (root / folder_name).is_dir():
        root = root / folder_name
    files = [root / f for f in (train if split == "train" else test)]
    missing = [f for f in files if not f.is_file()]
    if missing:
        raise GankitError(f"{missing[0]} does not exist; set data.path to the extracted {folder_name} folder.")
    return files


# CIFAR-10's class names for labels 0-9 (its batches.meta, which is a pickle and so never read).
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_cifar(cfg, name: str) -> ImageDataset:
    """CIFAR-10 or CIFAR-100 (fine labels) from data.path as uint8 (N, 3, 32, 32)."""
    root = require_path(cfg, f"the extracted {_LAYOUTS[name][0]} folder")
    _, _, _, labels_key, classes = _LAYOUTS[name]
    parts = [_batch_arrays(f, labels_key, classes) for f in _batch_files(root, name, check_split(cfg))]
    images = torch.from_numpy(np.concatenate([p[0] for p in parts]))
    labels = torch.from_numpy(np.concatenate([p[1] for p in parts]))
    names = CIFAR10_CLASSES if name == "cifar10" else None
    return apply_options(ImageDataset(images, labels, classes, cfg.name, names), cfg)


def load_cifar10(cfg) -> ImageDataset:
    """CIFAR-10 python batches (data_batch_1..5 for train, test_batch for test)."""
    return load_cifar(cfg, "cifar10")


def load_cifar100(cfg) -> ImageDataset:
    """CIFAR-100 python files (train / test), with the 100 fine labels."""
    return load_cifar(cfg, "cifar100")
