"""Augmentation of what the discriminator sees (train.augment): DiffAugment or ADA, on the device, differentiable.

A family whose D judges images passes every image D sees, real and fake, through `t.augment` inside its step
(so G's gradients pass through the same transforms), and D's logits on real images through `t.judged_real`,
which steers ADA's probability p. The step context (gankit.train.context) owns the random stream and p.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from gankit.augment import ada, diffaug

KINDS = ("none", "diffaug", "ada")


class Augmentation(NamedTuple):
    """One run's augmentation: what it is and its settings (from train.*)."""

    kind: str                       # diffaug | ada
    policy: tuple[str, ...] = diffaug.TRANSFORMS  # diffaug: its transforms
    target: float = 0.6             # ada: the r_t it steers toward
    kimg: float = 100.0             # ada: thousands of real images over which p may move from 0 to 1

    @property
    def uniforms(self) -> int:
        """Uniform numbers drawn per image."""
        return diffaug.UNIFORMS if self.kind == "diffaug" else ada.UNIFORMS

    @property
    def adaptive(self) -> bool:
        return self.kind == "ada"

    def apply(self, x: torch.Tensor, u: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
        """Images x (B, C, H, W) transformed by the parameters of uniforms u (B, uniforms); p: ADA's probability.
        The same u gives the same transform, so two batches can share one."""
        if self.kind == "diffaug":
            return diffaug.diffaug(x, u, self.policy)
        return ada.ada(x, u, p)

    def adjust(self, p: torch.Tensor, rt: torch.Tensor, images: int) -> None:
        """ADA: move p (in place) from r_t, the mean sign of D's logits on `images` real images."""
        ada.adjust(p, rt, self.target, images, self.kimg)


def augmentation_of(train_cfg) -> Augmentation | None:
    """The run's augmentation from its train section, or None for train.augment=none."""
    if train_cfg.augment == "none":
        return None
    return Augmentation(train_cfg.augment, diffaug.parse_policy(train_cfg.augment_policy), train_cfg.ada_target,
                        train_cfg.ada_kimg)
