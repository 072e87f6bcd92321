"""A folder of PNG / JPEG images, with class labels taken from sub-folder names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gankit.data.images import ImageDataset, apply_options, check_split, image_options, require_path
from gankit.errors import GankitError

EXTENSIONS = (".png", ".jpg", ".jpeg")
# Modes that hold a single grey channel (plus alpha for "LA", which is dropped).
_GREY_MODES = ("1", "L", "LA", "I", "I;16", "I;16B", "I;16L")
# 16-bit grey (PNG); PIL's own convert to "L" would clip it instead of scaling it.
_WIDE_GREY_MODES = ("I", "I;16", "I;16B", "I;16L")


def is_image(path: Path) -> bool:
    """Whether path is a visible PNG or JPEG file."""
    return path.is_file() and path.suffix.lower() in EXTENSIONS and not path.name.startswith(".")


def list_dir(folder: Path) -> list[Path]:
    """The entries of a folder, sorted, or a GankitError when it cannot be listed."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise GankitError(f"{folder} cannot be listed ({exc.strerror or exc}); check data.path.") from None


def list_images(root: Path) -> tuple[list[Path], list[int] | None, list[str]]:
    """Image files in root and its immediate sub-folders, their labels (or None) and the class names.

    Labels come from sub-folder names (sorted; index order) when every image lives in a
    sub-folder; images directly in root make the whole folder unlabeled.
    """
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise GankitError(f"{root} {what}; set data.path to a folder of PNG or JPEG images.")
    entries = list_dir(root)
    top = [p for p in entries if is_image(p)]
    subdirs = [p for p in entries if p.is_dir() and not p.name.startswith(".")]
    per_class = [(d.name, [p for p in list_dir(d) if is_image(p)]) for d in subdirs]
    per_class = [(name, files) for name, files in per_class if files]
    nested = [p for _, files in per_class for p in files]
    if not top and not nested:
        raise GankitError(f"{root} contains no PNG or JPEG images (also looked one sub-folder deep); "
                          f"point data.path at a folder of images.")
    if top:
        return top + nested, None, []
    classes = [name for name, _ in per_class]
    labels = [i for i, (_, files) in enumerate(per_class) for _ in files]
    return nested, labels, classes


def probe_image(path: Path) -> tuple[str, tuple[int, int]]:
    """The (mode, size) of an image file, read from its header only."""
    try:
        with Image.open(path) as img:
            return img.mode, img.size
    except Exception as exc:  # PIL reports bad files with many exception types
        raise GankitError(f"{path} is not a readable image ({type(exc).__name__}: {exc}); "
                          f"remove or replace it.") from None


def _center_square(img: Image.Image) -> Image.Image:
    """The largest centred square of an image."""
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    return img.crop((left, top, left + side, top + side))


def _to_8bit(img: Image.Image) -> Image.Image:
    """16-bit grey scaled down to 8-bit "L"; other modes unchanged."""
    if img.mode not in _WIDE_GREY_MODES:
        return img
    wide = np.asarray(img).astype(np.float64)
    return Image.fromarray(np.rint(wide / 257.0).clip(0, 255).astype(np.uint8), "L")


def decode_image(path: Path, mode: str, resolution: int | None,
                 box: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """One image (or its `box`, PIL's left, top, right, bottom) as an (H, W, C) uint8 array in the given
    PIL mode, optionally square-resized."""
    try:
        with Image.open(path) as img:
            img = _to_8bit(img).convert(mode)
            if box is not None:
                img = img.crop(box)
            if resolution is not None and img.size != (resolution, resolution):
                img = _center_square(img).resize((resolution, resolution), Image.Resampling.BICUBIC)
            array = np.asarray(img, dtype=np.uint8)
    except Exception as exc:  # decoding is where truncated or corrupt data shows up
        raise GankitError(f"{path} is not a readable image ({type(exc).__name__}: {exc}); "
                          f"remove or replace it.") from None
    return array.reshape(array.shape[0], array.shape[1], -1)


def check_sizes(files: list[Path], sizes: list[tuple[int, int]]) -> None:
    """Refuse images of different sizes when no resize was asked for."""
    for path, size in zip(files, sizes):
        if size != sizes[0]:
            raise GankitError(f"{files[0]} is {sizes[0][0]}x{sizes[0][1]} but {path} is {size[0]}x{size[1]}; "
                              f"set data.resolution to resize every image to one square size.")


def image_mode(files: list[Path], probes: list[tuple[str, tuple[int, int]]], resolution: int | None,
               channels: int | None) -> str:
    """The PIL mode ("L" or "RGB") to decode files in, after refusing mixed sizes when no resize is asked for."""
    if resolution is None:
        check_sizes(files, [size for _, size in probes])
    if channels is None:
        channels = 1 if all(mode in _GREY_MODES for mode, _ in probes) else 3
    return "L" if channels == 1 else "RGB"


def stack_images(arrays: list[np.ndarray]) -> torch.Tensor:
    """(H, W, C) uint8 arrays as one uint8 (N, C, H, W) tensor."""
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def read_image_groups(groups: list[list[Path]], resolution: int | None = None,
                      channels: int | None = None) -> list[torch.Tensor]:
    """Each group of image files as uint8 (N, C, H, W), all in one channel count and (unless resized) one size."""
    files = [p for group in groups for p in group]
    mode = image_mode(files, [probe_image(p) for p in files], resolution, channels)
    return [stack_images([decode_image(p, mode, resolution) for p in group]) for group in groups]


def load_folder_path(root: str | Path, resolution: int | None = None, channels: int | None = None,
                     limit: int | None = None, name: str = "folder") -> ImageDataset:
    """Load the images of a folder as uint8 (N, C, H, W); see list_images for labels."""
    files, labels, classes = list_images(Path(root).expanduser())
    if limit is not None:
        # Cut before decoding: only the kept images are read.
        files = files[:limit]
        labels = labels[:limit] if labels is not None else None
    images, = read_image_groups([files], resolution, channels)
    label_tensor = torch.tensor(labels, dtype=torch.int64) if labels is not None else None
    return ImageDataset(images, label_tensor, len(classes), name, tuple(classes))


def _has_images(folder: Path) -> bool:
    return any(is_image(p) for p in list_dir(folder))


def has_split_folders(root: Path) -> bool:
    """Whether root holds train/ (and test/) each with one sub-folder per class, and no images of its own.

    train/ and test/ that hold images directly stay two classes named train and test, as before.
    """
    train = root / "train"
    if not root.is_dir() or not train.is_dir() or _has_images(root) or _has_images(train):
        return False
    return any(d.is_dir() and not d.name.startswith(".") and _has_images(d) for d in list_dir(train))


def _as_train_classes(ds: ImageDataset, train_classes: list[str], folder: Path) -> ImageDataset:
    """The test split's labels renumbered to the train split's classes (a test/ may lack some of them)."""
    if list(ds.class_names) == train_classes:
        return ds
    for name in ds.class_names:
        if name not in train_classes:
            raise GankitError(f"{folder / name} is a class that {folder.parent / 'train'} does not have; the test "
                              f"split's sub-folders must be among the train split's ({', '.join(train_classes)}).")
    index = torch.tensor([train_classes.index(name) for name in ds.class_names], dtype=torch.int64)
    return ImageDataset(ds.images, index[ds.labels], len(train_classes), ds.name, tuple(train_classes))


def load_folder(cfg) -> ImageDataset:
    """A folder of PNG/JPEG images from data.path, converted per data.channels and data.resolution.

    When data.path holds train/ and test/, each with one sub-folder per class, data.split picks one;
    otherwise both splits are the whole folder.
    """
    root = require_path(cfg, "folder of PNG or JPEG images")
    split = check_split(cfg)
    resolution, channels, limit = image_options(cfg)
    if not has_split_folders(root):
        return apply_options(load_folder_path(root, resolution, channels, limit, cfg.name), cfg)
    folder = root / split
    if not folder.is_dir():
        raise GankitError(f"{root} holds train/ but no {split}/; add {split}/ with one sub-folder per class as in "
                          f"train/, or set data.split=train.")
    ds = load_folder_path(folder, resolution, channels, limit, cfg.name)
    if ds.labels is None:
        raise GankitError(f"{folder} holds images directly, but {root / 'train'} has one sub-folder per class; "
                          f"put the {split} images in sub-folders named as train/'s.")
    if split == "test":
        ds = _as_train_classes(ds, list_images(root / "train")[2], folder)
    return apply_options(ds, cfg)
