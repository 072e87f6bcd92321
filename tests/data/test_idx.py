"""IDX reading: formats, file discovery, validation errors and the real Fashion-MNIST."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.data import FASHION_MNIST_DIR, load_dataset, read_idx
from gankit.data.idx import find_idx_files, load_idx_path
from gankit.errors import GankitError


def test_loads_folder_with_labels(mnist_dir, mnist_like, make_cfg):
    ds = load_dataset(make_cfg(name="mnist", path=mnist_dir))
    images, labels = mnist_like["train"]
    assert ds.images.shape == (12, 1, 6, 5) and ds.images.dtype == torch.uint8
    assert ds.shape == (1, 6, 5) and len(ds) == 12
    assert torch.equal(ds.images[:, 0], torch.from_numpy(images))
    assert ds.labels.dtype == torch.int64
    assert ds.labels.tolist() == labels.tolist()
    assert ds.num_classes == int(labels.max()) + 1
    assert ds.name == "mnist"


def test_test_split_uses_t10k(mnist_dir, mnist_like, make_cfg):
    ds = load_dataset(make_cfg(name="idx", path=mnist_dir, split="test"))
    assert len(ds) == 7
    assert ds.labels.tolist() == mnist_like["test"][1].tolist()


def test_gzip_and_plain_are_equal(tmp_path, write_idx, mnist_like):
    images, _ = mnist_like["train"]
    plain = read_idx(write_idx(tmp_path / "a-idx3-ubyte", images))
    # The gzip magic decides, not the name: a gzipped file without .gz still loads.
    zipped = read_idx(write_idx(tmp_path / "b-idx3-ubyte", images, gz=True))
    assert np.array_equal(plain, images) and np.array_equal(zipped, images)


@pytest.mark.parametrize("images_name,labels_name", [
    ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    ("train-images.idx3-ubyte", "train-labels.idx1-ubyte"),
    ("TRAIN-IMAGES-IDX3-UBYTE.GZ", "train-labels.idx1-ubyte.gz"),
])
def test_name_variants(tmp_path, write_idx, mnist_like, images_name, labels_name):
    images, labels = mnist_like["train"]
    write_idx(tmp_path / images_name, images, gz=images_name.lower().endswith(".gz"))
    write_idx(tmp_path / labels_name, labels, gz=labels_name.endswith(".gz"))
    ds = load_idx_path(tmp_path, "train")
    assert len(ds) == 12 and ds.labels.tolist() == labels.tolist()


def test_single_images_file_finds_labels_beside_it(mnist_dir, make_cfg):
    ds = load_dataset(make_cfg(name="idx", path=mnist_dir / "t10k-images-idx3-ubyte.gz"))
    assert len(ds) == 7 and ds.labels is not None and ds.num_classes > 0


def test_single_images_file_without_labels(tmp_path, write_idx, mnist_like, make_cfg):
    path = write_idx(tmp_path / "my-faces.idx", mnist_like["train"][0])
    ds = load_dataset(make_cfg(name="idx", path=path))
    assert ds.labels is None and ds.num_classes == 0 and ds.shape == (1, 6, 5)
    _, labels = ds.sample(4, torch.Generator().manual_seed(0))
    assert labels is None


def test_folder_without_labels_is_unlabeled(tmp_path, write_idx, mnist_like):
    write_idx(tmp_path / "train-images-idx3-ubyte", mnist_like["train"][0])
    ds = load_idx_path(tmp_path, "train")
    assert ds.labels is None


def test_prefers_plain_when_both_present(tmp_path, write_idx, mnist_like):
    images = mnist_like["train"][0]
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, gz=True)
    found, _ = find_idx_files(tmp_path, "train")
    assert found.name == "train-images-idx3-ubyte"


def _expect_error(path: Path, *words: str) -> str:
    with pytest.raises(GankitError) as info:
        load_idx_path(path, "train")
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message
    return message


def test_truncated_payload(tmp_path, write_idx, mnist_like):
    path = write_idx(tmp_path / "train-images-idx3-ubyte", mnist_like["train"][0])
    path.write_bytes(path.read_bytes()[:-10])
    message = _expect_error(path, "truncated", "expected 360 image bytes, found 350", "download")
    assert message.count(". ") == 0  # one sentence


def test_truncated_gzip(tmp_path, write_idx, mnist_like):
    path = write_idx(tmp_path / "train-images-idx3-ubyte.gz", mnist_like["train"][0], gz=True)
    path.write_bytes(path.read_bytes()[:30])
    _expect_error(path, "gzip")


def test_corrupt_gzip_body(tmp_path):
    data = bytearray(gzip.compress(bytes(range(256)) * 4))
    data[12:40] = b"\xff" * 28
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(bytes(data))
    _expect_error(path)


def test_extra_bytes(tmp_path, write_idx, mnist_like):
    path = write_idx(tmp_path / "train-images-idx3-ubyte", mnist_like["train"][0])
    path.write_bytes(path.read_bytes() + b"xx")
    _expect_error(path, "corrupt")


def test_wrong_magic(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    _expect_error(path, "magic")


def test_empty_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"")
    _expect_error(path, "empty")


def test_truncated_header(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    _expect_error(path, "header")


def test_missing_file_and_folder(tmp_path):
    _expect_error(tmp_path / "nope", "does not exist")
    with pytest.raises(GankitError, match="train-images-idx3-ubyte"):
        load_idx_path(tmp_path, "train")  # an empty folder
    with pytest.raises(GankitError, match="does not exist"):
        read_idx(tmp_path / "gone.gz")


def test_labels_file_that_is_images(tmp_path, write_idx, mnist_like):
    images = mnist_like["train"][0]
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", images)
    with pytest.raises(GankitError, match="train-labels-idx1-ubyte"):
        load_idx_path(tmp_path, "train")


def test_label_count_mismatch(tmp_path, write_idx, mnist_like):
    images, labels = mnist_like["train"]
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:5])
    with pytest.raises(GankitError, match="5 labels"):
        load_idx_path(tmp_path, "train")


def test_images_file_must_be_3d(tmp_path, write_idx, mnist_like):
    path = write_idx(tmp_path / "x-idx1-ubyte", mnist_like["train"][1])
    with pytest.raises(GankitError, match="not uint8 images"):
        load_idx_path(path)


def test_path_required(make_cfg):
    for name in ("mnist", "idx"):
        with pytest.raises(GankitError, match="data.path="):
            load_dataset(make_cfg(name=name))


def test_fashion_mnist_honours_path(mnist_dir, make_cfg):
    ds = load_dataset(make_cfg(name="fashion_mnist", path=mnist_dir, limit=3))
    assert len(ds) == 3 and ds.name == "fashion_mnist"


def test_real_fashion_mnist(make_cfg):
    if not Path(FASHION_MNIST_DIR).is_dir():
        pytest.skip(f"{FASHION_MNIST_DIR} is absent (Debian package dataset-fashion-mnist)")
    train = load_dataset(make_cfg())
    assert train.images.shape == (60000, 1, 28, 28) and train.images.dtype == torch.uint8
    assert train.num_classes == 10 and train.labels.shape == (60000,)
    assert train.class_names[7] == "sneaker" and train.class_names[9] == "ankle boot"
    assert sorted(train.labels.unique().tolist()) == list(range(10))
    test = load_dataset(make_cfg(split="test"))
    assert test.images.shape == (10000, 1, 28, 28) and test.num_classes == 10
