"""CIFAR python batches: layouts, labels, damaged files and refusal of malicious pickles."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.data import load_dataset
from gankit.data.cifar import read_batch
from gankit.errors import GankitError

PER_BATCH = 3


def _write_batch(path: Path, data: np.ndarray, labels: list[int], key: bytes = b"labels") -> None:
    batch = {b"batch_label": b"fake", key: labels, b"data": data,
             b"filenames": [b"img%d.png" % i for i in range(len(labels))]}
    path.write_bytes(pickle.dumps(batch, protocol=2))


def _image_data(seed: int, n: int = PER_BATCH) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 3072), dtype=np.uint8)


@pytest.fixture
def cifar10_dir(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for i in range(1, 6):
        _write_batch(folder / f"data_batch_{i}", _image_data(i), [(i + k) % 10 for k in range(PER_BATCH)])
    _write_batch(folder / "test_batch", _image_data(9, 2), [9, 0])
    return folder


@pytest.fixture
def cifar100_dir(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    _write_batch(folder / "train", _image_data(1, 4), [0, 99, 42, 7], key=b"fine_labels")
    _write_batch(folder / "test", _image_data(2, 2), [5, 6], key=b"fine_labels")
    return folder


def test_cifar10_train(cifar10_dir, make_cfg):
    ds = load_dataset(make_cfg(name="cifar10", path=cifar10_dir))
    assert ds.images.shape == (5 * PER_BATCH, 3, 32, 32) and ds.images.dtype == torch.uint8
    assert ds.num_classes == 10 and ds.labels.dtype == torch.int64
    assert ds.labels[:PER_BATCH].tolist() == [1, 2, 3]
    # Rows are R plane, G plane, B plane, each 32x32 row-major.
    first = torch.from_numpy(_image_data(1)[0])
    assert torch.equal(ds.images[0].reshape(-1), first)
    assert torch.equal(ds.images[0, 1, 0], first[1024:1056])


def test_cifar10_test_split_and_parent_folder(cifar10_dir, make_cfg):
    ds = load_dataset(make_cfg(name="cifar10", path=cifar10_dir.parent, split="test"))
    assert len(ds) == 2 and ds.labels.tolist() == [9, 0]


def test_cifar100_fine_labels(cifar100_dir, make_cfg):
    ds = load_dataset(make_cfg(name="cifar100", path=cifar100_dir))
    assert ds.shape == (3, 32, 32) and ds.num_classes == 100
    assert ds.labels.tolist() == [0, 99, 42, 7]


def test_options_apply(cifar10_dir, make_cfg):
    ds = load_dataset(make_cfg(name="cifar10", path=cifar10_dir, resolution=16, channels=1, limit=4))
    assert ds.images.shape == (4, 1, 16, 16) and len(ds.labels) == 4


def test_missing_batch(cifar10_dir, make_cfg):
    (cifar10_dir / "data_batch_3").unlink()
    with pytest.raises(GankitError, match="data_batch_3 does not exist"):
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir))


def test_missing_folder_and_path(tmp_path, make_cfg):
    with pytest.raises(GankitError, match="does not exist"):
        load_dataset(make_cfg(name="cifar100", path=tmp_path / "nowhere"))
    with pytest.raises(GankitError, match="data.path="):
        load_dataset(make_cfg(name="cifar10"))


def test_truncated_batch(cifar10_dir, make_cfg):
    path = cifar10_dir / "data_batch_2"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(GankitError, match="data_batch_2 is not a readable CIFAR batch"):
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir))


def test_empty_and_garbage_batch(tmp_path):
    for content in (b"", b"this is not a pickle at all"):
        path = tmp_path / "data_batch_1"
        path.write_bytes(content)
        with pytest.raises(GankitError, match=str(path)):
            read_batch(path)


def test_wrong_contents(cifar10_dir, make_cfg):
    _write_batch(cifar10_dir / "test_batch", _image_data(0, 2), [0, 10])
    with pytest.raises(GankitError, match="outside 0..9"):
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir, split="test"))
    (cifar10_dir / "test_batch").write_bytes(pickle.dumps([1, 2, 3], protocol=2))
    with pytest.raises(GankitError, match="dict"):
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir, split="test"))
    _write_batch(cifar10_dir / "test_batch", np.zeros((2, 100), np.uint8), [0, 1])
    with pytest.raises(GankitError, match="3072"):
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir, split="test"))


class _Exploit:
    """Unpickling this would run a shell command that creates a marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class _EvalExploit:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').close()",))


@pytest.mark.parametrize("exploit", [_Exploit, _EvalExploit])
def test_malicious_pickle_is_refused(cifar10_dir, tmp_path, make_cfg, exploit):
    marker = tmp_path / "pwned"
    batch = {b"data": _image_data(0), b"labels": [0, 1, 2], b"evil": exploit(marker)}
    (cifar10_dir / "data_batch_1").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(GankitError) as info:
        load_dataset(make_cfg(name="cifar10", path=cifar10_dir))
    assert "data_batch_1" in str(info.value) and "not loaded" in str(info.value)
    assert not marker.exists()


def test_codecs_encode_limited_to_latin1(tmp_path):
    import codecs

    class _Codec:
        def __reduce__(self):
            return (codecs.encode, (b"x", "zlib_codec"))

    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({b"x": _Codec()}, protocol=2))
    with pytest.raises(GankitError, match="data_batch_1"):
        read_batch(path)
