"""StyleGAN2's layers and networks: equalized learning rate, the mapping's multiplier, modulation and
demodulation, noise, style mixing, truncation and the minibatch standard deviation."""

import math

import pytest
import torch

from gankit.config import from_dict
from gankit.errors import GankitError
from gankit.models import build_conditional_models, build_models
from gankit.models.style_layers import EqualConv2d, EqualLinear, ModulatedConv2d, NoiseInput, minibatch_stddev
from gankit.models.stylegan2 import StyleGenerator, style_plan


def model_cfg(**model):
    return from_dict({"model": {"name": "stylegan2", "z_dim": 16, "width": 4, **model}}).model


def test_equalized_learning_rate_stores_unit_weights_and_scales_them_at_run_time():
    torch.manual_seed(0)
    layer = EqualLinear(400, 300)
    assert abs(layer.weight.std().item() - 1) < 0.01 and layer.weight_gain == 1 / 20
    x = torch.randn(1000, 400)
    assert abs(layer(x).std().item() - 1) < 0.05  # unit variance in, unit variance out
    conv = EqualConv2d(16, 8, 3, activate=False)
    assert conv.weight_gain == 1 / math.sqrt(16 * 9)
    assert torch.allclose(conv(torch.ones(1, 16, 5, 5))[0, :, 2, 2], conv.weight.sum((1, 2, 3)) / 12, atol=1e-5)


def test_the_mapping_networks_multiplier_slows_its_learning_by_that_factor():
    torch.manual_seed(0)
    slow, fast = EqualLinear(8, 8, lr_mul=0.01), EqualLinear(8, 8)
    fast.weight.data.copy_(slow.weight.data * 0.01)  # the same function
    x = torch.randn(4, 8)
    assert torch.allclose(slow(x), fast(x), atol=1e-6)
    moved, x = [], x.double()
    for layer in (slow.double(), fast.double()):  # float64: the stored weights are 100x larger in `slow`  # one Adam step on each: about lr on every stored weight
        before = layer.weight.detach() * layer.weight_gain
        opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
        layer(x).square().sum().backward()
        opt.step()
        moved.append(layer.weight.detach() * layer.weight_gain - before)
    assert torch.allclose(moved[0], moved[1] * 0.01, rtol=1e-3, atol=1e-9)  # the effective weights: 0.01 x


def test_modulation_scales_each_input_channel_and_demodulation_gives_unit_output_scale():
    torch.manual_seed(0)
    conv = ModulatedConv2d(64, 32, 3, w_dim=8)
    w = torch.randn(256, 8)
    x = torch.randn(256, 64, 9, 9)
    out = conv(x, w)
    # demodulated: each output channel of each image has expected square 1 for unit-variance inputs
    assert abs(out[:, :, 1:-1, 1:-1].square().mean().item() - 1) < 0.05
    # by hand for one image: weights scaled by the style, each output normalised by its weights' norm
    s = conv.affine(w[:1])[0]
    weight = conv.weight * conv.weight_gain * s[None, :, None, None]
    weight = weight / weight.square().sum((1, 2, 3), keepdim=True).add(1e-8).sqrt()
    expected = torch.nn.functional.conv2d(x[:1], weight, padding=1)
    assert torch.allclose(out[:1], expected, atol=1e-4)
    plain = ModulatedConv2d(4, 2, 1, w_dim=8, demodulate=False)
    plain.affine.weight.data.zero_()  # styles = their initial bias, 1
    x = torch.randn(2, 4, 3, 3)
    assert torch.allclose(plain(x, torch.randn(2, 8)),
                          torch.nn.functional.conv2d(x, plain.weight * plain.weight_gain), atol=1e-6)


def test_noise_is_fresh_in_training_and_fixed_in_eval_mode():
    layer = NoiseInput((4, 4))
    layer.strength.data.fill_(1.0)
    x = torch.zeros(2, 3, 4, 4)
    assert not torch.equal(layer(x), layer(x))
    layer.eval()
    assert torch.equal(layer(x), layer(x)) and torch.equal(layer(x)[0, 0], layer.fixed[0, 0])


def test_minibatch_stddev_adds_one_channel_per_group_of_consecutive_images():
    x = torch.zeros(8, 2, 3, 3)
    x[4:] = torch.arange(4.0).view(4, 1, 1, 1)  # the second group's images differ, the first's do not
    out = minibatch_stddev(x)
    assert out.shape == (8, 3, 3, 3)
    assert torch.allclose(out[:4, 2], torch.full((4, 3, 3), 1e-4))
    assert torch.allclose(out[4:, 2], torch.full((4, 3, 3), torch.tensor([0., 1, 2, 3]).std(unbiased=False).item()))
    assert minibatch_stddev(torch.randn(6, 2, 3, 3)).shape == (6, 3, 3, 3)  # groups of 3 where 4 does not divide


def test_the_discriminators_minibatch_stddev_groups_as_many_images_as_model_mbstd_group():
    D = build_models(from_dict({"model": {"name": "stylegan2", "z_dim": 8, "width": 4, "mbstd_group": 8}}).model,
                     (1, 28, 28))[1]
    seen = []
    D.conv.register_forward_pre_hook(lambda module, inputs: seen.append(inputs[0][:, -1, 0, 0]))
    D(torch.randn(16, 1, 28, 28))
    groups = seen[0].view(2, 8)
    assert torch.equal(groups, groups[:, :1].expand(2, 8)) and groups[0, 0] != groups[1, 0]


def test_sizes_halve_to_a_constant_of_4_to_7_px_and_other_sizes_are_one_sentence():
    assert style_plan(28) == (7, 2) and style_plan(32) == (4, 3) and style_plan(128) == (4, 5)
    with pytest.raises(GankitError, match="data.resolution"):
        style_plan(18)


def generator(**model) -> StyleGenerator:
    torch.manual_seed(0)
    return build_models(model_cfg(**model), (1, 28, 28))[0]


def test_style_mixing_switches_to_the_second_w_at_the_chosen_layer():
    G = generator(style_mixing=0.9)
    z, z2 = torch.randn(3, 16), torch.randn(3, 16)
    u = torch.tensor([[0.0, 0.0], [0.0, 0.99], [0.95, 0.5]])  # cut at layer 1, at the last layer, no mixing
    ws, w, w2 = G.styles(z, mix=(z2, u)), G.mapping(z), G.mapping(z2)
    assert G.num_ws == 6
    assert torch.allclose(ws[0, 0], w[0]) and torch.allclose(ws[0, 1:], w2[0].expand(5, -1))
    assert torch.allclose(ws[1, :5], w[1].expand(5, -1)) and torch.allclose(ws[1, 5], w2[1])
    assert torch.allclose(ws[2], w[2].expand(6, -1))


def test_truncation_at_1_is_the_identity_and_at_0_gives_the_mean_w():
    G = generator()
    G.train()
    for _ in range(3):
        G(torch.randn(8, 16))  # tracks w_avg
    G.eval()
    assert G.mapping.w_avg.abs().sum() > 0
    z = torch.randn(4, 16)
    assert torch.equal(G(z, psi=1.0), G(z))
    assert torch.allclose(G.styles(z, psi=0.0), G.mapping.w_avg.expand(4, 6, -1))
    images = G(z, psi=0.0)
    assert torch.allclose(images, images[:1].expand(4, -1, -1, -1), atol=1e-5)  # every image is the mean's


def test_the_conditional_generator_takes_its_label_in_the_mapping_and_d_projects():
    cfg = model_cfg()
    G, D = build_conditional_models(cfg, (1, 28, 28), 10, "projection")
    G.eval()
    z = torch.randn(1, 16).expand(2, -1)
    x = G(z, torch.tensor([0, 1]))
    assert not torch.allclose(x[0], x[1])
    logits, classes = D(x, torch.tensor([0, 1]))
    assert logits.shape == (2,) and classes is None
