"""The translation networks together: shapes at 28, 32, 64 px, initialisation, full-size parameter counts."""

import pytest
import torch
from torch import nn

from gankit.models import count_parameters
from gankit.models.translation import (PatchDiscriminator, ResNetGenerator, StarGANDiscriminator, StarGANGenerator,
                                       UNetGenerator, patch_output_size, stargan_d_layers)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [28, 32, 64])
def test_generator_shapes(size, channels):
    x = torch.randn(2, channels, size, size)
    c = torch.eye(4)[[0, 3]]  # (2, 4) one-hot target domains
    for G in (UNetGenerator(channels, channels, size, width=8), ResNetGenerator(channels, channels, 8, n_blocks=2)):
        assert G(x).shape == x.shape
    assert StarGANGenerator(channels, 4, width=8, n_blocks=2)(x, c).shape == x.shape


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("size", [28, 32, 64])
def test_discriminator_shapes(size, channels):
    x = torch.randn(2, channels, size, size)
    for n_layers in (1, 2):
        side = patch_output_size(size, n_layers)
        assert side >= 2
        assert PatchDiscriminator(channels, 8, n_layers)(x).shape == (2, 1, side, side)
    source, classes = StarGANDiscriminator(channels, size, 5, width=8)(x)
    side = size >> stargan_d_layers(size)
    assert source.shape == (2, 1, side, side) and classes.shape == (2, 5)


def test_pix2pix_d_reads_input_and_output_together():
    a, b = torch.randn(2, 3, 32, 32), torch.randn(2, 1, 32, 32)
    D = PatchDiscriminator(4, 8, 2)
    assert D(torch.cat([a, b], dim=1)).shape == (2, 1, 6, 6)


def test_reference_initialisation():
    """pix2pix/CycleGAN nets start at N(0, 0.02) with zero biases; StarGAN keeps PyTorch's default."""
    for net in (UNetGenerator(3, 3, 64), ResNetGenerator(3, 3), PatchDiscriminator(6)):
        convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        weights = torch.cat([m.weight.flatten() for m in convs])
        assert abs(weights.std().item() - 0.02) < 0.001
        assert all(m.bias is None or not m.bias.any() for m in convs)
    weight = StarGANGenerator(3, 5).body[0].weight  # (64, 3 + 5, 7, 7)
    bound = (8 * 49) ** -0.5  # PyTorch's default: uniform on +-1/sqrt(fan_in)
    assert weight.abs().max() <= bound
    assert weight.std().item() == pytest.approx(bound / 3**0.5, rel=0.05)


# Reference counts, from the reference code's layer lists (pix2pix/CycleGAN print
# 54.414 M, 11.378 M, 2.769 M, 2.765 M): our convs drop the bias before a
# norm, which the norm cancels, and CycleGAN's instance norm has no affine.
@pytest.mark.parametrize("build, reference", [
    (lambda: UNetGenerator(3, 3, 256), 54_413_955),                    # pix2pix unet_256, batch norm
    (lambda: ResNetGenerator(3, 3, n_blocks=9), 11_378_179),           # CycleGAN resnet_9blocks
    (lambda: PatchDiscriminator(6), 2_768_705),                        # pix2pix 70x70 D on cat(A, B)
    (lambda: PatchDiscriminator(3, norm="instance"), 2_764_737),       # CycleGAN 70x70 D
    (lambda: StarGANGenerator(3, 5), 8_430_528),                       # StarGAN G, 5 domains
    (lambda: StarGANDiscriminator(3, 128, 5), 44_762_048),             # StarGAN D, 128 px, 5 domains
])
def test_full_size_parameter_counts(build, reference):
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        net = build()
    assert count_parameters(net) == pytest.approx(reference, rel=0.001)
