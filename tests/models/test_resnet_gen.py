"""CycleGAN's ResNet generator: size kept, reflection padding only, per-sample instance norm."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import ResidualBlock
from gankit.models.resnet_gen import ResNetGenerator


@pytest.mark.parametrize("size", [28, 32, 8])
def test_keeps_the_size(size):
    net = ResNetGenerator(3, 1, width=8, n_blocks=1)
    assert net(torch.randn(2, 3, size, size)).shape == (2, 1, size, size)


def test_28px_bottleneck_is_7x7():
    net = ResNetGenerator(1, 1, width=4, n_blocks=2)
    seen = []
    blocks = [m for m in net.body if isinstance(m, ResidualBlock)]
    ups = [m for m in net.body if isinstance(m, nn.ConvTranspose2d)]
    for m in [blocks[0]] + ups:
        m.register_forward_hook(lambda m, i, o: seen.append((i[0].shape[-1], o.shape[-1])))
    net(torch.randn(1, 1, 28, 28))
    assert seen == [(7, 7), (7, 14), (14, 28)]


def test_layers_follow_cyclegan():
    with torch.device("meta"):
        net = ResNetGenerator(3, 3, n_blocks=9)
    convs = [m for m in net.body if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert [(c.out_channels, c.kernel_size[0], c.stride[0]) for c in convs] == [
        (64, 7, 1), (128, 3, 2), (256, 3, 2), (128, 3, 2), (64, 3, 2), (3, 7, 1)]  # c7s1-64 d128 d256 u128 u64 c7s1-3
    assert sum(isinstance(m, ResidualBlock) for m in net.body) == 9
    assert isinstance(net.body[-1], nn.Tanh)


def test_reflection_padding_only():
    net = ResNetGenerator(3, 3, width=4, n_blocks=3)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert all(c.padding == (0, 0) for c in convs)  # no conv pads with zeros
    pads = [m for m in net.modules() if isinstance(m, nn.ReflectionPad2d)]
    assert len(pads) == 2 + 2 + 2 * 3  # two c7s1, two d, two per residual block
    assert not any(isinstance(m, (nn.ZeroPad2d, nn.ConstantPad2d)) for m in net.modules())


def test_instance_norm_is_per_sample():
    net = ResNetGenerator(3, 3, width=4, n_blocks=2)
    norms = [m for m in net.modules() if isinstance(m, nn.InstanceNorm2d)]
    assert norms and not any(m.affine or m.track_running_stats for m in norms)
    x0, x1, x2 = torch.randn(3, 1, 3, 16, 16)
    for mode in (net.train, net.eval):
        mode()
        a = net(torch.cat([x0, x1]))[0]
        b = net(torch.cat([x0, x2]))[0]
        assert torch.allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("norm, cls", [("batch", nn.BatchNorm2d), ("none", None)])
def test_other_norms(norm, cls):
    net = ResNetGenerator(1, 1, width=4, n_blocks=1, norm=norm)
    norms = [m for m in net.modules() if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d))]
    assert all(isinstance(m, cls) for m in norms) and len(norms) == (0 if cls is None else 7)
    assert net(torch.randn(2, 1, 16, 16)).shape == (2, 1, 16, 16)


def test_refuses_sizes_it_cannot_restore():
    net = ResNetGenerator(1, 1, width=4, n_blocks=1)
    for size in (30, 4):
        with pytest.raises(GankitError, match=f"multiples of 4 and at least 8, got {size}x{size}"):
            net(torch.randn(1, 1, size, size))
    assert ResNetGenerator(1, 1, width=4, n_blocks=1, n_downsampling=1)(torch.randn(1, 1, 30, 30)).shape[-1] == 30
