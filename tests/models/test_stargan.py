"""StarGAN's G(x, c) and D(x) -> (source, classes): domain input, heads, depth at small sizes."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.stargan import StarGANDiscriminator, StarGANGenerator, stargan_d_layers


def test_generator_reads_the_target_domain():
    G = StarGANGenerator(3, 4, width=8, n_blocks=2).eval()
    x = torch.randn(2, 3, 32, 32)
    to_0, to_2 = torch.eye(4)[[0, 0]], torch.eye(4)[[2, 2]]
    assert G.body[0].in_channels == 3 + 4  # the tiled vector rides along as channels
    assert not torch.allclose(G(x, to_0), G(x, to_2))
    attributes = torch.tensor([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 0.0]])  # 0/1 attributes, not one-hot
    assert G(x, attributes).shape == x.shape


def test_generator_layers_follow_the_reference():
    G = StarGANGenerator(3, 5)
    norms = [m for m in G.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert len(norms) == 3 + 2 * 6 + 2
    assert all(m.affine and not m.track_running_stats for m in norms)  # per image, also in eval mode
    convs = [m for m in G.body if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (64, 7, 1), (128, 4, 2), (256, 4, 2), (128, 4, 2), (64, 4, 2), (3, 7, 1)]
    assert all(m.bias is None for m in G.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)))
    assert isinstance(G.body[-1], nn.Tanh)


def test_generator_refuses_sizes_it_cannot_restore():
    with pytest.raises(GankitError, match="multiples of 4"):
        StarGANGenerator(1, 2, width=4, n_blocks=1)(torch.randn(1, 1, 30, 30), torch.eye(2)[[0]])


@pytest.mark.parametrize("size, n_layers, side", [(128, 6, 2), (256, 7, 2), (64, 5, 2), (32, 4, 2), (28, 3, 3),
                                                  (16, 3, 2), (8, 2, 2)])
def test_discriminator_depth_for_the_resolution(size, n_layers, side):
    assert stargan_d_layers(size) == n_layers
    D = StarGANDiscriminator(1, size, 3, width=4, max_width=32)
    source, classes = D(torch.randn(2, 1, size, size))
    assert source.shape == (2, 1, side, side) and classes.shape == (2, 3)
    assert D.classes.kernel_size == (side, side)


def test_discriminator_heads_and_trunk():
    D = StarGANDiscriminator(3, 128, 5)
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LayerNorm))
                   for m in D.modules())  # no norm anywhere, source head included
    assert (D.source.out_channels, D.source.kernel_size, D.source.stride, D.source.padding) == (1, (3, 3), (1, 1),
                                                                                                (1, 1))
    convs = [m for m in D.trunk if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256, 512, 1024, 2048]
    assert all(m.negative_slope == 0.01 for m in D.trunk if isinstance(m, nn.LeakyReLU))


def test_discriminator_depth_limits():
    assert StarGANDiscriminator(1, 28, 2, width=4, n_layers=4)(torch.randn(1, 1, 28, 28))[0].shape == (1, 1, 1, 1)
    with pytest.raises(GankitError, match="28 px images takes n_layers 1 to 4"):
        StarGANDiscriminator(1, 28, 2, n_layers=5)
    D = StarGANDiscriminator(1, 32, 2, width=4)
    with pytest.raises(GankitError, match="built for 32x32 images, got 28x28"):
        D(torch.randn(1, 1, 28, 28))


def test_generator_samples_in_eval_mode_as_it_trains():
    # Running statistics in eval mode once turned sound translations into noise; G has none.
    G = StarGANGenerator(1, 3, width=4, n_blocks=1)
    x, c = torch.randn(2, 1, 16, 16), torch.eye(3)[[0, 2]]
    for _ in range(3):
        G(torch.randn(4, 1, 16, 16) * 5 + 2, torch.eye(3)[[0, 1, 2, 0]])  # training-mode calls
    trained_mode = G(x, c)
    assert torch.allclose(G.eval()(x, c), trained_mode)
