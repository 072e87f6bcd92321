"""Shared fixtures for the data tests: a config stand-in and small file writers."""

from __future__ import annotations

import gzip
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest


@dataclass
class FakeDataConfig:
    """The DataConfig fields gankit.data reads, with the same defaults."""

    name: str = "fashion_mnist"
    path: str | None = None
    split: str = "train"
    resolution: int | None = None
    channels: int | None = None
    limit: int | None = None
    mean: float = 4.0
    std: float = 0.5
    radius: float = 2.0
    mode_std: float = 0.02
    direction: str = "AtoB"
    jitter: bool = False
    attributes: list[str] = field(default_factory=list)
    attributes_file: str | None = None


@pytest.fixture
def make_cfg():
    """Build a config: make_cfg(name="digits", split="test")."""
    def build(**fields):
        if isinstance(fields.get("path"), Path):
            fields["path"] = str(fields["path"])
        return replace(FakeDataConfig(), **fields)
    return build


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format."""
    assert array.dtype == np.uint8
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


@pytest.fixture
def write_idx():
    """Write write_idx(path, uint8 array, gz=False) as an IDX file and return its path."""
    def write(path: Path, array: np.ndarray, gz: bool = False) -> Path:
        data = idx_bytes(array)
        path.write_bytes(gzip.compress(data) if gz else data)
        return path
    return write


@pytest.fixture
def mnist_like():
    """Small random (images, labels) arrays per split, shaped like MNIST but 6x5 pixels."""
    rng = np.random.default_rng(0)
    return {
        "train": (rng.integers(0, 256, (12, 6, 5), dtype=np.uint8), rng.integers(0, 10, 12).astype(np.uint8)),
        "test": (rng.integers(0, 256, (7, 6, 5), dtype=np.uint8), rng.integers(0, 10, 7).astype(np.uint8)),
    }


@pytest.fixture
def mnist_dir(tmp_path, write_idx, mnist_like):
    """A folder with the four standard IDX files (gzipped) built from mnist_like."""
    folder = tmp_path / "mnist"
    folder.mkdir()
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = mnist_like[split]
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels, gz=True)
    return folder
