"""scikit-learn's bundled 8x8 handwritten digits (no download needed)."""

from __future__ import annotations

import numpy as np
import torch

from gankit.data.images import ImageDataset, apply_options, check_split

# load_digits has no official split; the first 1500 of its 1797 rows are used for training.
TRAIN_ROWS = 1500


def load_digits(cfg) -> ImageDataset:
    """The 8x8 digits as uint8 (N, 1, 8, 8), labels 0..9; split train = first 1500 rows, test = the other 297."""
    from sklearn.datasets import load_digits as sk_load_digits  # imported late: sklearn is slow to import

    split = check_split(cfg)
    bunch = sk_load_digits()
    # Pixel values are counts 0..16; stretch them to the full byte range.
    pixels = np.rint(bunch.images * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    rows = slice(0, TRAIN_ROWS) if split == "train" else slice(TRAIN_ROWS, None)
    images = torch.from_numpy(pixels[rows].copy()).unsqueeze(1)
    labels = torch.from_numpy(bunch.target[rows].astype(np.int64))
    return apply_options(ImageDataset(images, labels, 10, cfg.name), cfg)
