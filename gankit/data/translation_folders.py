"""User translation data in the layouts of pix2pix and CycleGAN, read with the folder reader's helpers.

paired_folder (data.path):
    train/ and test/  each file an A|B image: left half A, right half B (pix2pix); or
    A/ and B/         each with train/ and test/ (or the files directly), partners sharing a file name
                      (matched without the extension).
unpaired_folder (data.path): trainA/ trainB/ testA/ testB/ (CycleGAN).

Images in one dataset share one size, unless data.resolution resizes each (centre square, then
bicubic); A and B share one channel count (grey only when every file is grey, or data.channels).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from gankit.data.folder import (decode_image, image_mode, is_image, list_dir, probe_image, read_image_groups,
                                stack_images)
from gankit.data.images import check_split, image_options, require_path
from gankit.data.translation import UnpairedDataset, pair_options, paired
from gankit.errors import GankitError

PAIRED_LAYOUT = "folder holding train/ and test/ of A|B images, or A/ and B/ with matching file names"


def image_files(folder: Path, what: str) -> list[Path]:
    """The PNG / JPEG files directly in folder, sorted; a GankitError when it is missing or has none."""
    if not folder.is_dir():
        raise GankitError(f"{folder} does not exist; put the {what} there.")
    files = [p for p in list_dir(folder) if is_image(p)]
    if not files:
        raise GankitError(f"{folder} has no PNG or JPEG images; put the {what} there.")
    return files


def _by_stem(files: list[Path]) -> dict[str, Path]:
    """Files keyed by their name without the extension; two files sharing one are refused."""
    found: dict[str, Path] = {}
    for path in files:
        if path.stem in found:
            raise GankitError(f"{found[path.stem]} and {path} share the name {path.stem!r}, so neither has one "
                              f"partner; rename or remove one of them.")
        found[path.stem] = path
    return found


def match_pairs(folder_a: Path, folder_b: Path) -> tuple[list[Path], list[Path]]:
    """The files of folder_a and their partners in folder_b (same name, any extension), sorted by name."""
    a = _by_stem(image_files(folder_a, "A images of the pairs"))
    b = _by_stem(image_files(folder_b, "B images of the pairs"))
    for have, other, side in ((a, b, folder_b), (b, a, folder_a)):
        for stem, path in have.items():
            if stem not in other:
                raise GankitError(f"{path} has no partner in {side} (partners share the file name, extension "
                                  f"aside); add {stem}.png there or remove {path.name}.")
    stems = sorted(a)
    return [a[s] for s in stems], [b[s] for s in stems]


def split_folders(root: Path, split: str, sides: tuple[str, str] = ("A", "B")) -> tuple[Path, Path]:
    """The two sides' folders of a split (A/ and B/, or another pair such as hr/ and lr/): A/<split> and
    B/<split>, or A/ and B/ themselves when they hold the files."""
    first, second = sides
    if any((root / first / s).is_dir() for s in ("train", "test")):
        return root / first / split, root / second / split
    if split == "test":
        raise GankitError(f"{root / first} holds its images directly (no train/ and test/ sub-folders), so there is "
                          f"no test split; move the test pairs to {first}/test and {second}/test, or set "
                          "data.split=train.")
    return root / first, root / second


def read_side_by_side(files: list[Path], resolution: int | None,
                      channels: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """A|B images split down the middle: (A, B) as uint8 (N, C, H, W), each half resized when resolution is set."""
    probes = [probe_image(p) for p in files]
    for path, (_, (w, h)) in zip(files, probes):
        if w % 2:
            raise GankitError(f"{path} is {w}x{h}, an odd width, so it cannot be cut into A (left half) and "
                              f"B (right half); crop or pad it to an even width.")
    mode = image_mode(files, probes, resolution, channels)
    halves: list[list[np.ndarray]] = [[], []]
    for path, (_, (w, h)) in zip(files, probes):
        halves[0].append(decode_image(path, mode, resolution, (0, 0, w // 2, h)))
        halves[1].append(decode_image(path, mode, resolution, (w // 2, 0, w, h)))
    return stack_images(halves[0]), stack_images(halves[1])


def load_paired_folder(cfg):
    """Aligned pairs from data.path in either pix2pix layout; data.direction chooses which side is the input."""
    root = require_path(cfg, PAIRED_LAYOUT)
    split = check_split(cfg)
    resolution, channels, limit = image_options(cfg)
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise GankitError(f"{root} {what}; set data.path to a {PAIRED_LAYOUT}.")
    if (root / "A").is_dir() and (root / "B").is_dir():
        files_a, files_b = match_pairs(*split_folders(root, split))
        a, b = read_image_groups([files_a[:limit], files_b[:limit]], resolution, channels)
    elif (root / split).is_dir():
        files = image_files(root / split, f"{split} pairs as A|B images")[:limit]
        a, b = read_side_by_side(files, resolution, channels)
    else:
        raise GankitError(f"{root} has neither A/ and B/ folders nor a {split}/ folder of A|B images; lay the "
                          f"pairs out as {split}/*.png (A left, B right) or as A/ and B/ with matching file names.")
    # The reader already resized; pair_options (inside paired) then finds nothing left to do.
    return paired(cfg, a, b)


def load_unpaired_folder(cfg) -> UnpairedDataset:
    """Two unpaired domains from data.path/<split>A and data.path/<split>B (CycleGAN's layout)."""
    root = require_path(cfg, "folder with trainA/ trainB/ testA/ testB/")
    split = check_split(cfg)
    resolution, channels, limit = image_options(cfg)
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise GankitError(f"{root} {what}; set data.path to a folder with trainA/ trainB/ testA/ testB/.")
    folders = [root / f"{split}{side}" for side in "AB"]
    for folder in folders:
        if not folder.is_dir():
            raise GankitError(f"{folder} does not exist; data.name=unpaired_folder reads {split}A/ and {split}B/ "
                              f"under data.path (CycleGAN's trainA/ trainB/ testA/ testB/), so create it.")
    files = [image_files(folder, f"{split} images of domain {folder.name[-1]}")[:limit] for folder in folders]
    a, b = read_image_groups(files, resolution, channels)
    a, b = pair_options(cfg, a, b)
    return UnpairedDataset(a, b, name=cfg.name, jitter=cfg.jitter)
