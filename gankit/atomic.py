"""Atomic file writes: a reader never sees half a file, a failure leaves the old one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Union

PathLike = Union[str, "os.PathLike[str]"]


def free_path(path: PathLike) -> Path:
    """path itself if nothing is there, else the first free `stem-N` + suffix beside it: never an existing name."""
    path = candidate = Path(path)
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write(fileobj)`` on a temp file beside ``path``, then rename it onto ``path``."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The temp file must live in the target's folder: os.replace is only
    # atomic within one filesystem, and a reader must never see half a file.
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); outputs are meant to be shared.
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    except BaseException:
        # Leave no debris behind, whatever went wrong (including Ctrl-C).
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target
