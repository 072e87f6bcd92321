"""Class labels as users give them (an index, a name, a comma list), for the families that sample by class."""

from __future__ import annotations

import torch

from gankit.errors import GankitError


def balanced_labels(n: int, num_classes: int) -> torch.Tensor:
    """n labels (n,) covering the classes equally, sorted (so a grid of them has one class per row)."""
    return torch.arange(n) * num_classes // n


def class_indices(spec, labels) -> list[int]:
    """Class indices of the data spec's classes for `labels`: an index, a class name ("sneaker"), a comma list
    of either, or a sequence."""
    names = list(spec.class_names) if spec.class_names else []
    count = int(spec.num_classes)
    if isinstance(labels, torch.Tensor):
        labels = labels.tolist()
    items = labels.split(",") if isinstance(labels, str) else labels if isinstance(labels, (list, tuple)) else [labels]
    return [_class_index(item, names, count) for item in items]


def _class_index(item, names: list[str], count: int) -> int:
    text = str(item).strip()
    index = int(text) if text.lstrip("-").isdigit() else None
    if index is None:
        wanted = _plain(text)
        matches = [i for i, name in enumerate(names) if wanted in (_plain(name), *map(_plain, name.split("/")))]
        partial = [i for i, name in enumerate(names) if wanted and wanted in _plain(name)]
        index = matches[0] if matches else partial[0] if len(partial) == 1 else None  # "boot": ankle boot
    if index is None or not 0 <= index < count:
        named = ", ".join(f"{i} {name}" if name != str(i) else str(i) for i, name in enumerate(names)) \
            or f"0 to {count - 1}"
        raise GankitError(f"label '{text}' is not one of this run's {count} classes; use an index or a name: {named}.")
    return index


def _plain(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def shared_labels(spec, labels, n: int) -> torch.Tensor:
    """n labels (n,) shared equally among the classes `labels` names, in the order given."""
    chosen = torch.tensor(class_indices(spec, labels))
    return chosen[balanced_labels(n, len(chosen))]
