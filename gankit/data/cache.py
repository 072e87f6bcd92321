"""gankit's cache folder: reference features, the CAS baseline, the oracle's sequences; never anything a
user wrote."""

from __future__ import annotations

import os
from pathlib import Path

from gankit.errors import GankitError


def cache_dir() -> Path:
    """Where computed data is cached ($GANKIT_CACHE, default ~/.cache/gankit); made if missing."""
    path = Path(os.environ.get("GANKIT_CACHE", Path.home() / ".cache" / "gankit"))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file of that name, or a path under one, or no permission
        raise GankitError(f"the feature cache {path} cannot be a folder ({exc.strerror}); set GANKIT_CACHE to a "
                          "folder you can write to.") from None
    return path
