"""Adaptive discriminator augmentation (Karras et al. 2020, "ADA"): the geometric and colour transforms of the
stylegan2-ada pipeline 'bgc', each applied to an image with probability p, and p steered by how sure D is of
the real images.

Geometric (in this order, composed into one affine map per image and sampled once, bilinearly, the borders
reflected): x-flip, a rotation by a multiple of 90 degrees, an integer translation of up to 1/8 of the side,
isotropic scaling by 2^N(0, 0.2^2), a rotation by a uniform angle, anisotropic scaling by 2^N(0, 0.2^2), a
fractional translation of N(0, 0.125^2) of the side; each rotation with probability 1 - sqrt(1 - p), so that
an image is rotated at all with probability about p. Colour (a 4 x 4 matrix per image on RGB and a constant):
brightness + N(0, 0.2^2), contrast x 2^N(0, 0.5^2), a flip of the luma axis, a hue rotation by a uniform angle,
saturation x 2^N(0, 1). Grey images take the RGB matrix's mean response to a grey pixel, as the reference does
(so the luma flip inverts them and hue and saturation leave them alone). What differs from the reference: the
geometric map is sampled with bilinear interpolation, not through its 2x upsampling with a wavelet filter.

Every parameter comes from a row of `UNIFORMS` uniform numbers per image: one gate (applied when below p) and
one or two values for each transform; normal numbers are the uniforms' inverse normal CDF.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

UNIFORMS = 28


def _luma(like: torch.Tensor) -> torch.Tensor:
    """The unit luma axis (1, 1, 1, 0) / sqrt 3, made on like's device (no copy from the host)."""
    v = torch.full((4,), 1 / math.sqrt(3), device=like.device, dtype=like.dtype)
    v[3] = 0
    return v


def _normal(u: torch.Tensor) -> torch.Tensor:
    return torch.special.ndtri(u.clamp(1e-6, 1 - 1e-6))


def _eye(n: int, size: int, like: torch.Tensor) -> torch.Tensor:
    return torch.eye(size, device=like.device, dtype=like.dtype).expand(n, size, size).clone()


def _scale2d(sx, sy):
    m = _eye(len(sx), 3, sx)
    m[:, 0, 0], m[:, 1, 1] = sx, sy
    return m


def _translate2d(tx, ty):
    m = _eye(len(tx), 3, tx)
    m[:, 0, 2], m[:, 1, 2] = tx, ty
    return m


def _rotate2d(theta):
    m = _eye(len(theta), 3, theta)
    c, s = torch.cos(theta), torch.sin(theta)
    m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = c, -s, s, c
    return m


def geometric_inverse(u: torch.Tensor, p: torch.Tensor, size: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    """(the map from output pixels to input pixels (B, 3, 3), centred coordinates in pixels; whether any
    geometric transform applies to each image (B,)) from uniforms u (B, 18) and the probability p."""
    h, w = size
    zero, one = torch.zeros_like(u[:, 0]), torch.ones_like(u[:, 0])
    p_rot = 1 - torch.sqrt((1 - p).clamp(min=0))
    applied = torch.zeros_like(u[:, 0], dtype=torch.bool)

    def gate(column: int, prob, value, identity):
        nonlocal applied
        on = u[:, column] < prob
        applied = applied | on
        return torch.where(on, value, identity)

    flip = gate(0, p, 1 - 2 * (u[:, 1] * 2).floor().clamp(max=1), one)
    quarter = gate(2, p, (u[:, 3] * 4).floor().clamp(max=3), zero)
    int_x = gate(4, p, torch.round((u[:, 5] * 2 - 1) * 0.125 * w), zero)
    int_y = gate(4, p, torch.round((u[:, 6] * 2 - 1) * 0.125 * h), zero)
    iso = gate(7, p, torch.exp2(_normal(u[:, 8]) * 0.2), one)
    pre = gate(9, p_rot, (u[:, 10] * 2 - 1) * math.pi, zero)
    aniso = gate(11, p, torch.exp2(_normal(u[:, 12]) * 0.2), one)
    post = gate(13, p_rot, (u[:, 14] * 2 - 1) * math.pi, zero)
    frac_x = gate(15, p, _normal(u[:, 16]) * 0.125 * w, zero)
    frac_y = gate(15, p, _normal(u[:, 17]) * 0.125 * h, zero)
    inverse = _scale2d(flip, one)
    for m in (_rotate2d(-quarter * math.pi / 2), _translate2d(-int_x, -int_y), _scale2d(1 / iso, 1 / iso),
              _rotate2d(-pre), _scale2d(1 / aniso, aniso), _rotate2d(-post), _translate2d(-frac_x, -frac_y)):
        inverse = inverse @ m
    return inverse, applied


def _axis_rotation(theta: torch.Tensor) -> torch.Tensor:
    """Rotations (B, 4, 4) about the luma axis by angles theta (B,) (Rodrigues' formula)."""
    v = _luma(theta)[:3]
    shift = torch.roll(torch.eye(3, device=theta.device, dtype=theta.dtype), 1, dims=0)
    cross = (shift - shift.t()) / math.sqrt(3)  # [v]x: the cross product with v
    c, s = torch.cos(theta)[:, None, None], torch.sin(theta)[:, None, None]
    m = _eye(len(theta), 4, theta)
    m[:, :3, :3] = c * torch.eye(3, device=theta.device, dtype=theta.dtype) + s * cross + (1 - c) * torch.outer(v, v)
    return m


def color_matrix(u: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """The colour transforms (B, 4, 4) on homogeneous RGB from uniforms u (B, 10) and the probability p."""
    n = len(u)
    zero, one = torch.zeros_like(u[:, 0]), torch.ones_like(u[:, 0])
    v = _luma(u)
    vv = torch.outer(v, v)
    eye = _eye(n, 4, u)
    bright = torch.where(u[:, 0] < p, _normal(u[:, 1]) * 0.2, zero)
    contrast = torch.where(u[:, 2] < p, torch.exp2(_normal(u[:, 3]) * 0.5), one)
    flip = torch.where(u[:, 4] < p, (u[:, 5] * 2).floor().clamp(max=1), zero)
    hue = torch.where(u[:, 6] < p, (u[:, 7] * 2 - 1) * math.pi, zero)
    saturation = torch.where(u[:, 8] < p, torch.exp2(_normal(u[:, 9])), one)
    m = eye.clone()
    m[:, :3, 3] = bright[:, None]
    m = torch.diag_embed(torch.stack([contrast, contrast, contrast, one], 1)) @ m
    m = (eye - 2 * vv * flip[:, None, None]) @ m
    m = _axis_rotation(hue) @ m
    m = (vv + (eye - vv) * saturation[:, None, None]) @ m
    return m


def ada(x: torch.Tensor, u: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """Images x (B, C, H, W), C = 1 or 3, in [-1, 1], augmented with probability p (a 0-d tensor) per transform,
    from uniforms u (B, UNIFORMS). An image no transform applies to is returned exactly."""
    n, channels, h, w = x.shape
    u = u.float()
    inverse, moved = geometric_inverse(u[:, :18], p, (h, w))
    # normalised output -> input coordinates: S^-1 inverse S with S = diag(w / 2, h / 2, 1)
    theta = inverse[:, :2].clone()
    theta[:, 0, 1] *= h / w
    theta[:, 1, 0] *= w / h
    theta[:, 0, 2] /= w / 2
    theta[:, 1, 2] /= h / 2
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    sampled = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    x = torch.where(moved[:, None, None, None], sampled, x)
    m = color_matrix(u[:, 18:], p).to(x.dtype)
    if channels == 3:
        return torch.einsum("bij,bjhw->bihw", m[:, :3, :3], x) + m[:, :3, 3, None, None]
    gain = m[:, :3, :3].sum(2).mean(1)  # the mean response of R, G and B to a grey pixel
    return x * gain[:, None, None, None] + m[:, :3, 3].mean(1)[:, None, None, None]


@torch.no_grad()
def adjust(p: torch.Tensor, rt: torch.Tensor, target: float, images: int, kimg: float) -> None:
    """ADA's heuristic, in place: from r_t (the mean sign of D's logits on `images` real images), p moves by
    images / (kimg * 1000) toward more augmentation when r_t > target, less otherwise, within [0, 1]."""
    p.add_(torch.sign(rt - target) * (images / (kimg * 1000))).clamp_(0, 1)
