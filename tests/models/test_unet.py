"""pix2pix's U-Net: depth per resolution, padding at 28 px, skips, dropout, norms."""

import pytest
import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.unet import UNetGenerator, reflect_padding, unet_depth


@pytest.mark.parametrize("size, depth", [(256, 8), (128, 7), (64, 6), (32, 5), (28, 5), (16, 4), (8, 3), (2, 1)])
def test_depth_reaches_a_1x1_bottleneck(size, depth):
    assert unet_depth(size) == depth
    net = UNetGenerator(1, 1, size, width=4)
    seen = []
    net.down[-1].register_forward_hook(lambda m, i, o: seen.append(o.shape))
    net(torch.randn(2, 1, size, size))
    assert seen == [(2, net.down[-1][-2].out_channels if depth > 1 else 4, 1, 1)]


def test_depth_override_and_refusals():
    assert unet_depth(28, 2) == 2 and unet_depth(256, 7) == 7
    net = UNetGenerator(3, 3, 28, width=4, depth=2)  # 28 -> 14 -> 7: no padding needed
    assert net(torch.randn(1, 3, 28, 28)).shape == (1, 3, 28, 28)
    for bad in (0, 6):
        with pytest.raises(GankitError, match="depth 1 to 5"):
            UNetGenerator(3, 3, 28, depth=bad)
    with pytest.raises(GankitError, match="norm"):
        UNetGenerator(3, 3, 32, norm="group")


def test_28px_is_padded_by_reflection_to_32():
    assert reflect_padding(28, 32) == (2, 2)
    assert reflect_padding(32, 32) == (0, 0)
    assert reflect_padding(30, 8) == (1, 1) and reflect_padding(29, 8) == (1, 2)
    net = UNetGenerator(1, 1, 28, width=4).eval()
    seen = []
    net.down[0].register_forward_hook(lambda m, i, o: seen.append(i[0]))
    x = torch.randn(1, 1, 28, 28)
    assert net(x).shape == x.shape
    assert seen[0].shape == (1, 1, 32, 32)
    assert torch.equal(seen[0][..., 2:30, 2:30], x)
    assert torch.equal(seen[0][..., 2:30, 1], x[..., :, 1])  # the mirror of column 1, not zeros


def test_non_square_inputs():
    net = UNetGenerator(2, 3, 32, width=4)
    assert net(torch.randn(2, 2, 28, 32)).shape == (2, 3, 28, 32)


def test_encoder_widths_and_norms_follow_pix2pix():
    with torch.device("meta"):
        net = UNetGenerator(3, 3, 256)
    convs = [block[-1] if len(block) == 1 else block[1] for block in net.down]
    assert [c.out_channels for c in convs] == [64, 128, 256, 512, 512, 512, 512, 512]
    # No norm on the first (raw pixels) and innermost (1x1) encoder convs.
    normed = [any(isinstance(m, nn.BatchNorm2d) for m in block) for block in net.down]
    assert normed == [False] + [True] * 6 + [False]
    ups = [block[1] for block in net.up] + [net.out[1]]
    assert [c.in_channels for c in ups] == [512, 1024, 1024, 1024, 1024, 512, 256, 128]
    assert [c.out_channels for c in ups] == [512, 512, 512, 512, 256, 128, 64, 3]
    assert isinstance(net.out[-1], nn.Tanh)
    assert all(isinstance(block[0], nn.LeakyReLU) and block[0].negative_slope == 0.2 for block in net.down[1:])


def test_skips_carry_the_input_past_a_dead_bottleneck():
    net = UNetGenerator(1, 1, 32, width=4).eval()
    innermost = net.down[-1][1]
    with torch.no_grad():
        innermost.weight.zero_()
        innermost.bias.zero_()
    seen = []
    net.down[-1].register_forward_hook(lambda m, i, o: seen.append(o))
    x = torch.randn(1, 1, 32, 32, requires_grad=True)
    y = net(x)
    assert not seen[0].any()  # nothing crosses the bottleneck
    y[0, 0, 10, 10].backward()
    grad = x.grad[0, 0]
    assert grad[10, 10] != 0  # an output pixel still reads the input pixel under it
    assert grad[8:13, 8:13].abs().sum() > grad.abs().sum() / 2  # mostly through the short, local path


def test_dropout_is_the_noise_in_train_mode():
    net = UNetGenerator(3, 3, 32, width=8)
    x = torch.randn(2, 3, 32, 32)
    assert net.dropout_blocks == 3
    assert not torch.equal(net(x), net(x))
    net.eval()
    assert torch.equal(net(x), net(x))
    net.dropout_at_eval = True
    assert not torch.equal(net(x), net(x))
    still = UNetGenerator(3, 3, 32, width=8, dropout=0.0).train()
    assert torch.equal(still(x), still(x))


def test_dropout_blocks_are_the_innermost_three():
    assert UNetGenerator(1, 1, 256, width=2).dropout_blocks == 3
    assert UNetGenerator(1, 1, 8, width=2).dropout_blocks == 2  # 3 levels: the outermost decoder makes the image
    net = UNetGenerator(1, 1, 32, width=4, dropout_at_eval=True).eval()
    hits = []
    for j, block in enumerate(net.up):
        block.register_forward_hook(lambda m, i, o, j=j: hits.append(j))
    net(torch.randn(1, 1, 32, 32))
    assert hits == [0, 1, 2, 3]


@pytest.mark.parametrize("norm, cls, count", [("batch", nn.BatchNorm2d, 7), ("instance", nn.InstanceNorm2d, 7),
                                              ("none", None, 0)])
def test_norm_variants(norm, cls, count):
    net = UNetGenerator(3, 3, 32, width=4, norm=norm)
    norms = [m for m in net.modules() if isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d))]
    assert len(norms) == count  # 3 encoder + 4 decoder at depth 5
    assert all(isinstance(m, cls) for m in norms)
    if norm == "instance":
        assert not any(m.affine for m in norms)
    convs = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    assert sum(m.bias is not None for m in convs) == (len(convs) if norm == "none" else 3)


def test_output_range():
    y = UNetGenerator(3, 3, 16, width=4)(torch.randn(4, 3, 16, 16) * 100)
    assert y.min() >= -1 and y.max() <= 1
