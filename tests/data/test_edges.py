"""pix2pix-style edge maps: Sobel gradients, non-maximum suppression, thinning, small pieces, inversion."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import ndimage, signal

from gankit.data.edges import drop_small_pieces, edge_maps, gradients, thin


def _square(size=16, lo=4, hi=12, value=200) -> torch.Tensor:
    image = torch.zeros(1, 1, size, size, dtype=torch.uint8)
    image[..., lo:hi, lo:hi] = value
    return image


def _no_2x2_block(mask: np.ndarray) -> bool:
    return not (mask[:-1, :-1] & mask[1:, :-1] & mask[:-1, 1:] & mask[1:, 1:]).any()


def test_square_gives_a_thin_closed_outline():
    out = edge_maps(_square())
    assert out.dtype == torch.uint8 and out.shape == (1, 1, 16, 16)
    assert set(out.unique().tolist()) == {0, 255}  # black edges on white
    edges = (out[0, 0] == 0).numpy()
    assert _no_2x2_block(edges)
    # One closed ring around the square's border, nothing far inside or outside it.
    assert ndimage.label(edges, structure=np.ones((3, 3)))[1] == 1
    rows, cols = np.nonzero(edges)
    assert rows.min() >= 2 and rows.max() <= 13 and cols.min() >= 2 and cols.max() <= 13
    assert not edges[6:10, 6:10].any()
    assert ndimage.binary_fill_holes(edges)[8, 8]


def test_black_and_empty_images_have_no_edges():
    assert (edge_maps(torch.zeros(2, 1, 8, 8, dtype=torch.uint8)) == 255).all()
    assert edge_maps(torch.zeros(0, 1, 8, 8, dtype=torch.uint8)).shape == (0, 1, 8, 8)
    # Outside is black background: a grey image filling the frame is outlined along it.
    framed = (edge_maps(torch.full((1, 1, 8, 8), 77, dtype=torch.uint8))[0, 0] == 0).numpy()
    assert framed[0].all() and framed[-1].all() and not framed[2:6, 2:6].any()


def test_deterministic_and_independent_of_the_batch():
    rng = np.random.default_rng(0)
    smooth = ndimage.gaussian_filter(rng.random((9, 20, 20)) * 255, (0, 2, 2))
    images = torch.from_numpy(np.clip(smooth * 3 - 250, 0, 255).astype(np.uint8)).unsqueeze(1)
    whole = edge_maps(images)
    assert torch.equal(whole, edge_maps(images.clone()))
    assert torch.equal(whole[3:5], edge_maps(images[3:5]))
    assert (whole == 0).any()


def test_gradients_are_blurred_sobel():
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (3, 7, 9), dtype=np.uint8)
    gx, gy = gradients(images)
    # Blur then Sobel (both cross-correlations) is one 5x5 kernel: their convolution.
    kernel = signal.convolve2d(np.outer([1, 2, 1], [1, 2, 1]), np.outer([1, 2, 1], [-1, 0, 1]))
    for i in range(3):
        image = images[i].astype(np.int64)
        assert np.array_equal(gx[i], ndimage.correlate(image, kernel, mode="constant"))
        assert np.array_equal(gy[i], ndimage.correlate(image, kernel.T, mode="constant"))


def test_thinning_makes_one_pixel_lines():
    mask = np.zeros((1, 9, 14), bool)
    mask[0, 3:6, 2:12] = True  # a bar three pixels thick
    flat = np.pad(mask, ((0, 0), (1, 1), (1, 1))).astype(np.uint8).ravel()
    thin(flat, np.flatnonzero(flat), 16, 11 * 16)
    line = flat.reshape(11, 16)[1:-1, 1:-1].astype(bool)
    assert line.any() and line.sum(axis=0).max() == 1 and _no_2x2_block(line)
    assert ndimage.label(line, structure=np.ones((3, 3)))[1] == 1


def test_small_pieces_are_dropped():
    mask = np.zeros((2, 6, 6), bool)
    mask[0, 0, 0] = True                 # 1 pixel
    mask[0, 3, 3] = mask[0, 4, 4] = True  # 2 pixels, diagonal
    mask[1, 1, 1:4] = True               # 3 pixels: kept
    kept = drop_small_pieces(mask)
    assert not kept[0].any() and np.array_equal(kept[1], mask[1])


def test_rejects_colour():
    with pytest.raises(ValueError):
        edge_maps(torch.zeros(1, 3, 8, 8, dtype=torch.uint8))
