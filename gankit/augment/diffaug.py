"""Differentiable augmentation (Zhao et al. 2020, "DiffAugment"): colour, translation and cutout, on every image
the discriminator sees, real and fake, so that G's gradients pass through the same transforms.

Every transform is applied to every image (DiffAugment has no probability), its parameters taken from a row of
uniform numbers per image (`UNIFORMS` of them), so a step's randomness is one draw from one stream. Images are
in [-1, 1], as the reference code assumes: brightness adds a number in [-0.5, 0.5), saturation scales the
distance from the pixel's channel mean by [0, 2), contrast the distance from the image's mean by [0.5, 1.5);
translation shifts by up to 1/8 of each side in whole pixels, filling with zeros; cutout zeroes a square of
half the side at a random centre (partly outside the image where the centre is near an edge).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

TRANSFORMS = ("color", "translation", "cutout")
# Columns of the uniform draw each transform reads.
COLUMNS = {"color": slice(0, 3), "translation": slice(3, 5), "cutout": slice(5, 7)}
UNIFORMS = 7


def parse_policy(policy: str) -> tuple[str, ...]:
    """The transforms of a comma list such as 'color,translation,cutout' (checked by the config)."""
    return tuple(name.strip() for name in policy.split(",") if name.strip())


def color(x: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Brightness, saturation and contrast of images x (B, C, H, W) from uniforms u (B, 3)."""
    b, s, c = (u[:, i].view(-1, 1, 1, 1).to(x.dtype) for i in range(3))
    x = x + (b - 0.5)
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (s * 2) + mean
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (c + 0.5) + mean


def _shift(u: torch.Tensor, reach: int) -> torch.Tensor:
    """Whole-pixel shifts in [-reach, reach], uniformly, from uniforms u in [0, 1)."""
    return (u * (2 * reach + 1)).floor().long().clamp(max=2 * reach) - reach


def translation(x: torch.Tensor, u: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    """Images x (B, C, H, W) moved by up to ratio of each side (uniforms u (B, 2): rows, columns), zeros brought in."""
    _, _, h, w = x.shape
    reach_h, reach_w = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy, dx = _shift(u[:, 0], reach_h), _shift(u[:, 1], reach_w)  # (B,)
    padded = F.pad(x, [reach_w, reach_w, reach_h, reach_h])
    rows = torch.arange(h, device=x.device)[None] + reach_h - dy[:, None]  # (B, H): the source row of each row
    cols = torch.arange(w, device=x.device)[None] + reach_w - dx[:, None]  # (B, W)
    batch = torch.arange(len(x), device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def cutout(x: torch.Tensor, u: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    """Images x (B, C, H, W) with a square of ratio of each side zeroed, centred by uniforms u (B, 2)."""
    _, _, h, w = x.shape
    size_h, size_w = int(h * ratio + 0.5), int(w * ratio + 0.5)
    # The reference draws the centre among h + (1 - size % 2) positions, then moves the square back by half its size.
    top = (u[:, 0] * (h + 1 - size_h % 2)).floor().long() - size_h // 2  # (B,)
    left = (u[:, 1] * (w + 1 - size_w % 2)).floor().long() - size_w // 2
    rows = torch.arange(h, device=x.device)[None] - top[:, None]  # (B, H): the row's place inside the square
    cols = torch.arange(w, device=x.device)[None] - left[:, None]
    inside = ((rows >= 0) & (rows < size_h))[:, :, None] & ((cols >= 0) & (cols < size_w))[:, None, :]
    return x * (~inside).unsqueeze(1).to(x.dtype)


FUNCTIONS = {"color": color, "translation": translation, "cutout": cutout}


def diffaug(x: torch.Tensor, u: torch.Tensor, policy: tuple[str, ...] = TRANSFORMS) -> torch.Tensor:
    """The policy's transforms, in the reference's order (colour, translation, cutout), of images x (B, C, H, W)
    with parameters from uniforms u (B, UNIFORMS)."""
    for name in TRANSFORMS:
        if name in policy:
            x = FUNCTIONS[name](x, u[:, COLUMNS[name]])
    return x
