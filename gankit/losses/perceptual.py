"""Feature losses of super-resolution: distances between a fixed network's features of two images.

SRGAN compares VGG19 features (its "VGG54": the fourth convolution of the fifth block); ESRGAN takes them
before the activation, where they are richer. gankit ships no VGG and downloads nothing, so:

- `classifier`: the shipped Fashion-MNIST domain classifier (gankit.metrics.features.classifier), read
  after its third convolution and BatchNorm, before the ReLU: (B, 64, 7, 7) on 28 x 28 images. The analogue
  of VGG54 on data the classifier knows.
- `vgg19`: torchvision's VGG19 layout (`features.N.weight` / `.bias`, N the index in its `features`
  Sequential) up to conv5_4 before the ReLU, with weights from a file the user has (torchvision's
  vgg19-dcbb9e9d.pth, or the same tensors as .safetensors), read without running any code in it. Images
  are taken from [-1, 1] to ImageNet's normalisation; grey images are repeated to three channels.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.metrics.features.classifier import load_classifier
from gankit.metrics.features.inception import read_state_dict

# torchvision's VGG19 `features` up to conv5_4: output channels of each convolution, "M" a 2x2 max-pool.
VGG19_PLAN = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
VGG_FILE = "torchvision's vgg19-dcbb9e9d.pth (or its tensors as .safetensors)"
# The classifier's layers kept: three conv-BN-ReLU-pool blocks, cut after the third BatchNorm.
CLASSIFIER_CUT = 10


class VGG19Features(nn.Module):
    """VGG19's convolutions up to conv5_4, its output before the ReLU (B, 512, H/16, W/16)."""

    def __init__(self):
        super().__init__()
        layers: list[nn.Module] = []
        prev = 3
        for item in VGG19_PLAN:
            if item == "M":
                layers.append(nn.MaxPool2d(2))
            else:
                layers += [nn.Conv2d(prev, item, 3, padding=1), nn.ReLU()]
                prev = item
        self.features = nn.Sequential(*layers[:-1])  # conv5_4 without its ReLU
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        return self.features(((x + 1) / 2 - self.mean) / self.std)


class ClassifierFeatures(nn.Module):
    """The Fashion-MNIST classifier's convolutions up to its third BatchNorm: (B, 64, 7, 7) of (B, 1, 28, 28)."""

    def __init__(self):
        super().__init__()
        self.features = load_classifier("fashion_mnist").conv[:CLASSIFIER_CUT]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


def load_vgg19(path: str | Path) -> VGG19Features:
    """VGG19Features with the convolution weights of `path` (other entries, such as the classifier's, ignored)."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise GankitError(f"the VGG19 weights file {path} does not exist; give {VGG_FILE} in srgan.vgg_weights.")
    model = VGG19Features()
    state = read_state_dict(path, VGG_FILE)
    own = {f"features.{k}": v for k, v in model.features.state_dict().items()}
    for key, tensor in own.items():
        if key not in state:
            raise GankitError(f"{path} has no {key}, so it is not a VGG19 in torchvision's layout; give {VGG_FILE}.")
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise GankitError(f"{path}: {key} has shape {tuple(state[key].shape)}, VGG19 needs {tuple(tensor.shape)}; "
                              f"give {VGG_FILE}.")
    model.features.load_state_dict({k.removeprefix("features."): state[k].float() for k in own})
    return model


def feature_network(kind: str, vgg_weights: str | None = None) -> nn.Module:
    """The frozen network of a feature loss, in eval mode: 'classifier' or 'vgg19' (from vgg_weights)."""
    net = ClassifierFeatures() if kind == "classifier" else load_vgg19(vgg_weights)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net
