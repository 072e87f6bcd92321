"""Inception-v3 as used for FID (the TF 2015-12-05 graph as ported by pytorch-fid), written in gankit.

The layer names and shapes match pytorch-fid's `fid_inception_v3()` so the state_dict
of its weights file pt_inception-2015-12-05-6726825d.pth loads with strict key
matching. The FID variant differs from torchvision's Inception-v3: the average pools
of the A, C and first E blocks ignore padded zeros (count_include_pad=False, as
TensorFlow), the last E block max-pools, and the classifier has 1008 outputs.

Preprocessing follows pytorch-fid: bilinear resize to 299x299 (align_corners=False),
then the network sees values in [-1, 1]. pytorch-fid takes [0, 1] input and maps it
with 2x - 1 after the resize; gankit images already are in [-1, 1], and a bilinear
resize commutes with that affine map, so feeding them straight in is the same.
Grey images are repeated to three channels.

Features are the 2048-d pool3 activations (FID, KID, PR). Class scores for the
Inception Score follow torch-fidelity's default ('logits_unbiased') and the
original TF Inception Score code: pool3 @ fc.weight.T, without the bias, with the
softmax over all 1008 outputs (the TF graph's 1000 ImageNet classes plus 8
unused ones; torch-fidelity and the TF code keep all 1008 in the softmax).
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from gankit.errors import GankitError

WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_FILE}"
ENV_VAR = "GANKIT_INCEPTION_WEIGHTS"
INPUT_SIZE = 299


class BasicConv2d(nn.Module):
    """Conv (no bias) -> BatchNorm (eps 1e-3) -> ReLU."""

    def __init__(self, c_in: int, c_out: int, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(c_out, eps=0.001)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)))


def _tf_avg_pool(x: torch.Tensor) -> torch.Tensor:
    """3x3 stride-1 average pool that, as TensorFlow's, leaves padded zeros out of the mean."""
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    """35x35 block: 1x1, 5x5, double 3x3 and pooled branches (out 224 + pool_features channels)."""

    def __init__(self, c_in: int, pool_features: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(c_in, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(c_in, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(c_in, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(c_in, pool_features, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), b5, b3, self.branch_pool(_tf_avg_pool(x))], 1)


class InceptionB(nn.Module):
    """Reduction 35x35 -> 17x17 (out 480 + c_in channels)."""

    def __init__(self, c_in: int):
        super().__init__()
        self.branch3x3 = BasicConv2d(c_in, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(c_in, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), b3, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionC(nn.Module):
    """17x17 block with factorised 7x7 convolutions (out 768 channels)."""

    def __init__(self, c_in: int, channels_7x7: int):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(c_in, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(c_in, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(c_in, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(c_in, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = self.branch7x7dbl_1(x)
        for conv in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            d = conv(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(_tf_avg_pool(x))], 1)


class InceptionD(nn.Module):
    """Reduction 17x17 -> 8x8 (out 512 + c_in channels)."""

    def __init__(self, c_in: int):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(c_in, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(c_in, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([b3, b7, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(nn.Module):
    """8x8 block with split 1x3 / 3x1 branches (out 2048); pool 'avg' (TF-style) for Mixed_7b, 'max' for Mixed_7c."""

    def __init__(self, c_in: int, pool: str):
        super().__init__()
        self.pool = pool
        self.branch1x1 = BasicConv2d(c_in, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(c_in, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(c_in, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(c_in, 192, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(s), self.branch3x3_2b(s)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        # pytorch-fid: the FID graph max-pools in its last block, where the paper averages.
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1) if self.pool == "max" else _tf_avg_pool(x)
        return torch.cat([self.branch1x1(x), b3, bd, self.branch_pool(pooled)], 1)


class FIDInceptionV3(nn.Module):
    """The FID Inception-v3: images in [-1, 1] of any size -> pool3 features (B, 2048) and 1008 logits."""

    max_batch = 50          # images per forward pass in extract_features (299x299 activations are big)
    weights_id = "random"   # which weights are loaded; load_inception sets a file digest

    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, pool="avg")
        self.Mixed_7c = InceptionE(2048, pool="max")
        self.fc = nn.Linear(2048, 1008)

    def check_shape(self, shape) -> None:
        """Raise a GankitError unless images of shape (C, H, W) are grey or RGB."""
        if len(shape) != 3 or shape[0] not in (1, 3):
            raise GankitError(f"Inception features need grey or RGB images (1 or 3, H, W), not {tuple(shape)}.")

    def preprocess(self, x: torch.Tensor) -> torch.Tensor:
        """Images (B, 1 or 3, H, W) in [-1, 1] -> (B, 3, 299, 299) in [-1, 1], as pytorch-fid's input path."""
        self.check_shape(x.shape[1:])
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        if x.shape[2:] != (INPUT_SIZE, INPUT_SIZE):
            x = F.interpolate(x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
        return x  # (B, 3, 299, 299)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """pool3 features (B, 2048) of images (B, C, H, W) in [-1, 1]."""
        x = self.preprocess(x)
        for stem in (self.Conv2d_1a_3x3, self.Conv2d_2a_3x3, self.Conv2d_2b_3x3):
            x = stem(x)                                           # (B, 64, 147, 147) at the end
        x = F.max_pool2d(x, kernel_size=3, stride=2)              # (B, 64, 73, 73)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))             # (B, 192, 71, 71)
        x = F.max_pool2d(x, kernel_size=3, stride=2)              # (B, 192, 35, 35)
        for block in (self.Mixed_5b, self.Mixed_5c, self.Mixed_5d, self.Mixed_6a, self.Mixed_6b,
                      self.Mixed_6c, self.Mixed_6d, self.Mixed_6e, self.Mixed_7a, self.Mixed_7b, self.Mixed_7c):
            x = block(x)                                          # (B, 2048, 8, 8) at the end
        return F.adaptive_avg_pool2d(x, 1).flatten(1)             # (B, 2048)

    def logits(self, x: torch.Tensor, bias: bool = False) -> torch.Tensor:
        """Class logits (B, 1008); without the bias by default, as torch-fidelity's IS ('logits_unbiased')."""
        return self._head(self.features(x), bias)

    def _head(self, f: torch.Tensor, bias: bool = False) -> torch.Tensor:
        return F.linear(f, self.fc.weight, self.fc.bias if bias else None)  # (B, 1008)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The unbiased logits (B, 1008) used for the Inception Score."""
        return self.logits(x)

    def features_and_probs(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """pool3 features (B, 2048) and IS class probabilities (B, 1008): softmax over all unbiased logits."""
        f = self.features(x)
        return f, F.softmax(self._head(f), dim=1)


def _missing_weights(detail: str) -> GankitError:
    return GankitError(f"{detail}; Inception features need pytorch-fid's weights file {WEIGHTS_FILE} "
                       f"(its release asset, {WEIGHTS_URL}): download it and pass --inception-weights PATH "
                       f"or set {ENV_VAR}=PATH.")


def read_state_dict(path: Path, wanted: str = f"pytorch-fid's {WEIGHTS_FILE}") -> dict:
    """A state_dict from a .pth (torch.load, weights_only: no code is run) or .safetensors file, as a dict of
    tensors; `wanted` names the file to use instead in the sentence about a bad one."""
    try:
        with warnings.catch_warnings():  # torch's own multi-line advice (which includes unsafe loading) stays out
            warnings.simplefilter("ignore")
            if path.suffix == ".safetensors":
                from safetensors.torch import load_file
                state = load_file(str(path))
            else:
                state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle, zip and header errors all mean: not a usable weights file
        raise GankitError(f"{path} cannot be read as a plain state_dict of tensors ({type(exc).__name__}: it holds "
                          f"other objects, or is damaged); use {wanted}.") from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise GankitError(f"{path} holds no plain state_dict of tensors; use {wanted}.")
    return state


def _check_keys(model: nn.Module, state: dict, path: Path) -> dict:
    """The file's tensors checked key by key and shape by shape against the model (BN counters optional)."""
    skip = lambda k: k.endswith("num_batches_tracked")  # BN step counters, unused in eval
    own = model.state_dict()
    want, have = {k for k in own if not skip(k)}, {k for k in state if not skip(k)}
    if want != have:
        missing, extra = sorted(want - have), sorted(have - want)
        raise GankitError(f"{path} does not match the FID Inception-v3 ({len(missing)} keys missing, e.g. "
                          f"{missing[:3]}; {len(extra)} unexpected, e.g. {extra[:3]}); use pytorch-fid's {WEIGHTS_FILE}.")
    for k in sorted(want):
        if tuple(state[k].shape) != tuple(own[k].shape):
            raise GankitError(f"{path}: {k} has shape {tuple(state[k].shape)}, the FID Inception-v3 needs "
                              f"{tuple(own[k].shape)}; use pytorch-fid's {WEIGHTS_FILE}.")
    merged = {k: v for k, v in own.items() if skip(k)}
    merged.update({k: state[k].float() if state[k].is_floating_point() else state[k] for k in want})
    return merged


def file_digest(path: Path) -> str:
    """The first 16 hex digits of the file's SHA-256."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:16]


def load_inception(path: str | os.PathLike | None = None) -> FIDInceptionV3:
    """The FID Inception-v3 with weights from `path` (default $GANKIT_INCEPTION_WEIGHTS), eval mode, frozen."""
    path = path or os.environ.get(ENV_VAR)
    if not path:
        raise _missing_weights("no Inception weights were given")
    path = Path(path).expanduser()
    if not path.is_file():
        raise _missing_weights(f"the Inception weights file {path} does not exist")
    model = FIDInceptionV3()
    model.load_state_dict(_check_keys(model, read_state_dict(path), path), strict=True)
    model.weights_id = file_digest(path)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model
