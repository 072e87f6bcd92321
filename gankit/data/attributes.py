"""A folder of images with binary attributes from a CelebA-style list (data.name: attributes), for StarGAN.

The list (data.attributes_file, default list_attr_celeba.txt inside data.path; a
relative path is taken from data.path) has the image count on line 1, the
attribute names on line 2, then one line per image: its file name and one value
per attribute, 1 (has it) or -1 (has not). data.attributes picks the columns
(all when empty); the labels are float32 (N, A) 0/1 in that order.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import torch

from gankit.data.folder import read_image_groups
from gankit.data.images import ImageDataset, apply_options, image_options, require_path
from gankit.errors import GankitError

DEFAULT_FILE = "list_attr_celeba.txt"
# CelebA writes 1 / -1; 0 is read as "has not" too.
_VALUES = {"1": 1.0, "-1": 0.0, "0": 0.0}


def attributes_path(cfg, root: Path) -> Path:
    """The attribute list's path: data.attributes_file (relative to data.path unless absolute) or the default."""
    path = Path(cfg.attributes_file or DEFAULT_FILE).expanduser()
    return path if path.is_absolute() else root / path


def _read_lines(path: Path) -> list[str]:
    """The file's lines without trailing blank ones, or a GankitError naming what is missing."""
    if not path.is_file():
        raise GankitError(f"{path} does not exist; set data.attributes_file to the attribute list "
                          f"(CelebA's list_attr_celeba.txt format), relative to data.path or absolute.")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise GankitError(f"{path} cannot be read ({exc.strerror or exc}); check its permissions.") from None
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 2:
        raise GankitError(f"{path} has {len(lines)} line(s); an attribute list needs the image count on line 1 "
                          f"and the attribute names on line 2.")
    return lines


def _parse_row(path: Path, number: int, line: str, names: list[str]) -> tuple[str, list[float]]:
    """One image line: (file name, its values as 0/1)."""
    parts = line.split()
    values = parts[1:]
    if len(values) != len(names):
        raise GankitError(f"{path} line {number} has {len(values)} values but line 2 names {len(names)} "
                          f"attributes; give that line a file name and one 1 or -1 per attribute.")
    for value, name in zip(values, names):
        if value not in _VALUES:
            raise GankitError(f"{path} line {number} has {value!r} for {name}; each attribute value must be "
                              f"1 or -1.")
    return parts[0], [_VALUES[v] for v in values]


def read_attribute_list(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """(attribute names, image file names, float32 (N, A) 0/1 values) of a CelebA-style list."""
    lines = _read_lines(path)
    try:
        count = int(lines[0].strip())
    except ValueError:
        raise GankitError(f"{path} line 1 is {lines[0][:40]!r}, not the number of images; put the image count "
                          f"there (CelebA's list_attr_celeba.txt format).") from None
    names = lines[1].split()
    if not names:
        raise GankitError(f"{path} line 2 is empty; put the attribute names there, separated by spaces.")
    rows = [_parse_row(path, number, line, names) for number, line in enumerate(lines[2:], start=3)]
    if count != len(rows):
        raise GankitError(f"{path} line 1 says {count} images but {len(rows)} image lines follow; "
                          f"correct the count on line 1.")
    values = np.array([v for _, v in rows], dtype=np.float32).reshape(len(rows), len(names))
    return names, [f for f, _ in rows], values


def choose_columns(wanted: list[str], names: list[str], path: Path) -> list[int]:
    """The column index of each wanted attribute (all columns when none are wanted)."""
    if not wanted:
        return list(range(len(names)))
    columns = []
    for want in wanted:
        if want not in names:
            ranked = sorted(names, key=lambda name: difflib.SequenceMatcher(None, want.lower(), name.lower()).ratio(),
                            reverse=True)
            raise GankitError(f"data.attributes names {want!r}, which is not a column of {path}; the valid ones, "
                              f"nearest first: {', '.join(ranked)}.")
        if names.index(want) in columns:
            raise GankitError(f"data.attributes names {want!r} twice; list each attribute once.")
        columns.append(names.index(want))
    return columns


def load_attributes(cfg) -> ImageDataset:
    """The images of data.path listed in the attribute list, labelled by the chosen attributes (multi-label)."""
    root = require_path(cfg, "folder of images beside a list_attr_celeba.txt-style attribute list")
    resolution, channels, limit = image_options(cfg)
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise GankitError(f"{root} {what}; set data.path to the folder of the images the attribute list names.")
    path = attributes_path(cfg, root)
    names, files, values = read_attribute_list(path)
    columns = choose_columns(list(cfg.attributes or []), names, path)
    files, values = files[:limit], values[:limit]
    paths = [root / f for f in files]
    for number, (file, full) in enumerate(zip(files, paths), start=3):
        if not full.is_file():
            raise GankitError(f"{path} line {number} names {file}, which is not in {root}; add the image "
                              f"or remove the line.")
    if not paths:
        raise GankitError(f"{path} lists no images; add a line per image (file name, then the attribute values).")
    images, = read_image_groups([paths], resolution, channels)
    labels = torch.from_numpy(np.ascontiguousarray(values[:, columns]))
    chosen = tuple(names[c] for c in columns)
    return apply_options(ImageDataset(images, labels, len(chosen), cfg.name, chosen, multi_label=True), cfg)
