"""IDX files (the MNIST / Fashion-MNIST format), gzipped or plain, validated before use."""

from __future__ import annotations

import gzip
import math
import os
import re
import zlib
from pathlib import Path

import numpy as np
import torch

from gankit.data.images import ImageDataset, apply_options, check_split, require_path
from gankit.errors import GankitError

# Debian's dataset-fashion-mnist, unless GANKIT_FASHION_MNIST names another folder of its IDX files.
FASHION_MNIST_DIR = os.environ.get("GANKIT_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")

_GZIP_MAGIC = b"\x1f\x8b"
# IDX type code -> big-endian numpy dtype.
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
# train-images-idx3-ubyte.gz, t10k-labels.idx1-ubyte, ...: the separators vary between mirrors.
_NAME = re.compile(r"^(train|t10k|test)[-._](images|labels)[-._]idx([13])[-._]ubyte(\.gz)?$", re.IGNORECASE)
_SPLIT_PREFIXES = {"train": ("train",), "test": ("t10k", "test")}


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it starts with the gzip magic number."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GankitError(f"{path} does not exist; check data.path or download the file.") from None
    except OSError as exc:
        raise GankitError(f"{path} cannot be read ({exc.strerror or exc}); check its permissions.") from None
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise GankitError(f"{path} is a damaged or truncated gzip file ({exc}); download it again.") from None


def read_idx(path: str | Path, what: str = "data") -> np.ndarray:
    """Read one IDX file (gzip detected by content) into a native-endian numpy array."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise GankitError(f"{path} is empty or truncated ({len(data)} bytes, no IDX header); download it again.")
    if data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES or data[3] == 0:
        raise GankitError(f"{path} is not an IDX file (bad magic number 0x{data[:4].hex()}); "
                          f"point data.path at the MNIST-format files.")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise GankitError(f"{path} is truncated inside its header ({len(data)} of {header} bytes); download it again.")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_DTYPES[data[2]])
    # math.prod on Python ints: a corrupt header must not overflow into a small number.
    expected = math.prod(dims) * dtype.itemsize
    found = len(data) - header
    if found < expected:
        raise GankitError(f"{path} is truncated (expected {expected} {what} bytes, found {found}); download it again.")
    if found > expected:
        raise GankitError(f"{path} is corrupt ({found - expected} bytes more than its header's {expected} "
                          f"{what} bytes); download it again.")
    array = np.frombuffer(data, dtype=dtype, count=expected // dtype.itemsize, offset=header)
    return array.reshape(dims).astype(dtype.newbyteorder("="))


def _candidates(folder: Path, prefixes: tuple[str, ...], kind: str) -> list[Path]:
    """Files in folder whose IDX-style name has one of the split prefixes and the kind."""
    try:
        names = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        raise GankitError(f"{folder} cannot be listed ({exc.strerror or exc}); check data.path.") from None
    found = []
    for p in names:
        m = _NAME.match(p.name)
        if m and m.group(1).lower() in prefixes and m.group(2).lower() == kind:
            found.append(p)
    # Prefer the uncompressed copy when both are present: it loads faster.
    return sorted(found, key=lambda p: (p.name.lower().endswith(".gz"), p.name))


def find_idx_files(path: Path, split: str) -> tuple[Path, Path | None]:
    """The (images, labels or None) files for a split in a folder, or beside a single images file."""
    if not path.exists():
        raise GankitError(f"{path} does not exist; set data.path to a folder of IDX files or an images IDX file.")
    if path.is_file():
        m = _NAME.match(path.name)
        if not m:
            return path, None
        labels = _candidates(path.parent, (m.group(1).lower(),), "labels")
        return path, (labels[0] if labels else None)
    images = _candidates(path, _SPLIT_PREFIXES[split], "images")
    if not images:
        prefix = _SPLIT_PREFIXES[split][0]
        raise GankitError(f"{path} has no {split} images IDX file (expected a name like "
                          f"{prefix}-images-idx3-ubyte.gz); point data.path at the folder holding it.")
    labels = _candidates(path, _SPLIT_PREFIXES[split], "labels")
    return images[0], (labels[0] if labels else None)


def _load_images(path: Path) -> torch.Tensor:
    """An images IDX file as uint8 (N, 1, H, W)."""
    array = read_idx(path, "image")
    if array.dtype != np.uint8 or array.ndim != 3:
        raise GankitError(f"{path} holds {array.dtype} data of shape {array.shape}, not uint8 images (N, H, W); "
                          f"point data.path at an images IDX file.")
    return torch.from_numpy(array).unsqueeze(1)


def _load_labels(path: Path, count: int) -> torch.Tensor:
    """A labels IDX file as int64 (count,), checked against the image count."""
    array = read_idx(path, "label")
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise GankitError(f"{path} holds {array.dtype} data of shape {array.shape}, not integer labels (N,); "
                          f"point data.path at the matching labels file.")
    if array.shape[0] != count:
        raise GankitError(f"{path} has {array.shape[0]} labels but its images file has {count} images; "
                          f"use the matching pair of files.")
    if count and array.min() < 0:
        raise GankitError(f"{path} holds negative labels; use a labels file with classes 0, 1, 2, ...")
    return torch.from_numpy(array.astype(np.int64))


# The class names of Fashion-MNIST's labels 0-9 (Xiao et al. 2017).
FASHION_MNIST_CLASSES = ("T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
                         "bag", "ankle boot")


def load_idx_path(path: str | Path, split: str = "train", name: str = "idx",
                  class_names: tuple[str, ...] | None = None) -> ImageDataset:
    """Load images (and labels when found) from an IDX folder or single images file."""
    images_path, labels_path = find_idx_files(Path(path).expanduser(), split)
    images = _load_images(images_path)
    if labels_path is None:
        return ImageDataset(images, None, 0, name)
    labels = _load_labels(labels_path, images.shape[0])
    num_classes = int(labels.max()) + 1 if len(labels) else 0
    return ImageDataset(images, labels, num_classes, name, class_names)


def load_idx(cfg) -> ImageDataset:
    """IDX dataset from data.path (a folder of the four standard files, or one images file)."""
    path = require_path(cfg, "folder of IDX files or an images IDX file")
    return apply_options(load_idx_path(path, check_split(cfg), cfg.name), cfg)


def read_fashion_mnist(cfg) -> ImageDataset:
    """The whole Fashion-MNIST split data.split (no options applied), from data.path or Debian's folder."""
    path = Path(cfg.path or FASHION_MNIST_DIR).expanduser()
    if not cfg.path and not path.exists():
        raise GankitError(f"{path} does not exist; install Debian's dataset-fashion-mnist package "
                          f"or set data.path to a folder of Fashion-MNIST IDX files.")
    return load_idx_path(path, check_split(cfg), cfg.name, FASHION_MNIST_CLASSES)


def load_fashion_mnist(cfg) -> ImageDataset:
    """Fashion-MNIST from data.path, defaulting to Debian's dataset-fashion-mnist folder."""
    return apply_options(read_fashion_mnist(cfg), cfg)
