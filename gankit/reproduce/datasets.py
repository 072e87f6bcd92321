"""Which image data a reproduction trains on: Fashion-MNIST where installed, else scikit-learn's 8x8 digits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gankit.data import FASHION_MNIST_DIR


# The DCGAN paper's loss and Adam (non-saturating; 2e-4, beta1 0.5), Algorithm 1's fresh noise for G, one width for
# G and D and fp32: the reproductions train dcgan_fashion so, not as the recipe is tuned for time to quality, so
# that they stay the papers' experiments.
DCGAN_PAPER = ["loss.name=nonsaturating", "g_optim.lr=2e-4", "d_optim.lr=2e-4", "g_optim.betas=[0.5, 0.999]",
               "d_optim.betas=[0.5, 0.999]", "train.reuse_fakes=false", "model.g_width=0", "model.d_width=0",
               "train.precision=fp32"]


@dataclass(frozen=True)
class ImageData:
    label: str                 # how reports name it
    overrides: list[str] = field(default_factory=list)  # --set overrides onto a Fashion-MNIST recipe
    extractor: str = "fashion_mnist"  # the shipped domain classifier for its features


def image_data(digits_resolution: int | None = None) -> ImageData:
    """Fashion-MNIST (Debian's dataset-fashion-mnist) or, where it is absent, the 8x8 digits."""
    if Path(FASHION_MNIST_DIR).is_dir():
        return ImageData("Fashion-MNIST")
    sets = ["data.name=digits"] + ([f"data.resolution={digits_resolution}"] if digits_resolution else [])
    return ImageData("digits (8x8; Fashion-MNIST is not installed)", sets, "digits")
