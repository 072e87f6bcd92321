"""`gankit translate`: a trained image-to-image run applied to the user's own PNG / JPEG files.

Each input is converted as the training data were (grey or RGB to the run's
channels, centre-cropped to a square and resized to its resolution), translated
by the run's family (gankit.translate with the family's own arguments, such as
a direction or a target domain) and written as PNG under its own name in the
output folder. Every input is read and every output name
checked before anything is written, so a bad file or an existing output stops
the command with one sentence and leaves nothing half done.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from gankit.api import Run, load_run, require_translation, translate
from gankit.atomic import atomic_write, free_path
from gankit.data import to_uint8
from gankit.data.folder import EXTENSIONS, decode_image
from gankit.errors import GankitError

def input_files(path: Path) -> list[Path]:
    """The image files to translate: the file itself, or the PNG / JPEG files directly in a folder."""
    if path.is_file():
        if path.suffix.lower() not in EXTENSIONS:
            raise GankitError(f"--input {path} is not a PNG or JPEG file; give one, or a folder of them.")
        return [path]
    if not path.is_dir():
        raise GankitError(f"--input {path} does not exist; give a PNG / JPEG file or a folder of them.")
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in EXTENSIONS
                   and not p.name.startswith("."))
    if not files:
        raise GankitError(f"--input {path} holds no PNG or JPEG files; give a file or a folder of images.")
    return files


def read_inputs(files: list[Path], shape: tuple[int, ...]) -> torch.Tensor:
    """The files as floats (N, C, H, W) in [-1, 1], converted to the run's channels and resolution."""
    channels, size = shape[0], shape[-1]
    arrays = [decode_image(p, "L" if channels == 1 else "RGB", size) for p in files]  # (H, W, C) each
    images = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float()
    return images / 127.5 - 1.0


def output_paths(files: list[Path], out: Path) -> list[Path]:
    """Where each translation goes (its input's name, as PNG); refuses names that exist or repeat."""
    paths = [out / f"{p.stem}.png" for p in files]
    for path in paths:
        if path.exists():
            raise GankitError(f"{path} already exists; gankit never overwrites: choose another --out or move it.")
    seen: dict[Path, Path] = {}
    for src, path in zip(files, paths):
        if path in seen:
            raise GankitError(f"{seen[path].name} and {src.name} would both be written as {path.name}; rename one.")
        seen[path] = src
    return paths


def default_out(run: Run, arguments: dict) -> Path:
    """A new folder inside the run, never an existing one, tagged with the arguments given."""
    tag = "".join(f"-{value}" for value in arguments.values() if value is not None)
    return free_path(run.path / f"translations-step{run.step:06d}{tag.replace(',', '_').replace('=', '')}")


def write_png(image_u8: torch.Tensor, path: Path) -> None:
    """One uint8 (C, H, W) image as PNG, written atomically."""
    array = image_u8.permute(1, 2, 0).numpy()  # (H, W, C)
    img = Image.fromarray(array[..., 0], "L") if array.shape[2] == 1 else Image.fromarray(array, "RGB")
    atomic_write(path, lambda f: img.save(f, format="PNG"))


def translate_files(run_dir: str | Path, input_path: str | Path, out: str | Path | None = None,
                    checkpoint: str = "latest", device: str = "cpu", **arguments) -> list[Path]:
    """Translate the images at input_path with a trained run (arguments: the family's own, e.g. direction=,
    target=); return the written files."""
    run = load_run(run_dir, checkpoint, device)
    require_translation(run)
    files = input_files(Path(input_path).expanduser())
    images = read_inputs(files, run.spec.shape)
    out_dir = Path(out).expanduser() if out is not None else default_out(run, arguments)
    if out_dir.exists() and not out_dir.is_dir():
        raise GankitError(f"--out {out_dir} is a file; give a folder for the translations.")
    paths = output_paths(files, out_dir)
    images = to_uint8(translate(run, images, **arguments))  # (N, C, H, W)
    out_dir.mkdir(parents=True, exist_ok=True)
    for image, path in zip(images, paths):
        write_png(image, path)
    return paths
