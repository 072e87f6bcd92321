"""The feature losses' networks: the shipped classifier's convolutions, and VGG19 from a user's weights file."""

import pytest
import torch
from safetensors.torch import save_file

from gankit.errors import GankitError
from gankit.losses.perceptual import ClassifierFeatures, VGG19Features, feature_network, load_vgg19


def torchvision_layout(model: VGG19Features) -> dict:
    """What torchvision's vgg19 state_dict holds for these layers (features.N.*), plus a classifier entry."""
    state = {f"features.{k}": torch.randn_like(v) for k, v in model.features.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)  # torchvision's head: ignored
    return state


def test_classifier_features_are_its_third_convolution_before_the_relu():
    net = feature_network("classifier")
    out = net(torch.zeros(2, 1, 28, 28))
    assert isinstance(net, ClassifierFeatures) and out.shape == (2, 64, 7, 7) and (out < 0).any()
    assert not any(p.requires_grad for p in net.parameters())


def test_vgg19_loads_torchvisions_layout_from_safetensors(tmp_path):
    state = torchvision_layout(VGG19Features())
    save_file(state, tmp_path / "vgg19.safetensors")
    net = load_vgg19(tmp_path / "vgg19.safetensors")
    assert torch.equal(net.features[34].weight, state["features.34.weight"])  # conv5_4, the last layer kept
    assert net(torch.zeros(1, 1, 32, 32)).shape == (1, 512, 2, 2)  # grey repeated to RGB; 1/16 of the side


def test_vgg19_from_a_pth_file_is_read_without_running_code(tmp_path):
    torch.save(torchvision_layout(VGG19Features()), tmp_path / "vgg19.pth")
    assert isinstance(load_vgg19(tmp_path / "vgg19.pth"), VGG19Features)
    torch.save({"model": VGG19Features()}, tmp_path / "pickled.pth")  # a whole module: code, refused
    with pytest.raises(GankitError, match="plain state_dict"):
        load_vgg19(tmp_path / "pickled.pth")


def test_a_weights_file_of_another_network_is_one_sentence(tmp_path):
    state = torchvision_layout(VGG19Features())
    state["features.0.weight"] = torch.zeros(64, 1, 3, 3)
    save_file(state, tmp_path / "other.safetensors")
    with pytest.raises(GankitError, match="features.0.weight has shape"):
        load_vgg19(tmp_path / "other.safetensors")
    state = torchvision_layout(VGG19Features())
    del state["features.34.weight"]
    save_file(state, tmp_path / "short.safetensors")
    with pytest.raises(GankitError, match="has no features"):
        load_vgg19(tmp_path / "short.safetensors")
