"""How well a super-resolution run restores its test split's high-resolution images.

- PSNR and SSIM (gankit.metrics.translation: on the [0, 1] scale, per image, then averaged) with a border
  of `scale` pixels cropped from every side first, as BasicSR reports them (its crop_border), on every
  channel (BasicSR's test_y_channel: false).
- The same for PIL's bicubic upsampling of the inputs: the baseline row of every super-resolution table.
- The posterior-sampling signature, where G takes noise: two outputs of one input under different noise
  differ from each other about as much as each differs from the truth when G samples the posterior
  p(truth | input) (for independent draws a, b and truth y of one distribution, E|a - b|^2 = E|a - y|^2 =
  2 tr Cov), and not at all when G draws one answer: posterior_ratio = E|a - b|^2 / E|a - y|^2, 1 and 0.
- On fashion_sr, the Fashion-MNIST classifier's FID of the outputs against the true test images and its
  accuracy on the outputs (is the garment still itself), for the outputs, for bicubic, and for the truth.

NIQE is not reported: its natural-scene statistics need 96 x 96 blocks, larger than these images. Nor is
LPIPS: it needs network weights downloaded from its authors, which gankit never fetches.
"""

from __future__ import annotations

import dataclasses

import torch

from gankit.data import load_dataset, to_float
from gankit.data.super_resolution import upscale
from gankit.metrics.evaluate_translation import Judge
from gankit.metrics.translation import psnr, ssim

NO_CLASSIFIER = ("class accuracy and FID need a classifier of the data's domain; this data is not fashion_sr, so "
                 "only PSNR, SSIM and the posterior ratio are reported")


def crop_border(x: torch.Tensor, border: int) -> torch.Tensor:
    """Images (N, C, H, W) without `border` pixels on every side."""
    return x[..., border:-border, border:-border] if border else x


def restoration(x: torch.Tensor, truth: torch.Tensor, scale: int, prefix: str = "") -> dict:
    """{psnr, ssim} of outputs x against the truth (N, C, H, W) in [-1, 1], a border of `scale` px cropped."""
    x, truth = crop_border(x, scale), crop_border(truth, scale)
    return {f"psnr{prefix}": psnr(x, truth), f"ssim{prefix}": ssim(x, truth)}


def posterior_ratio(a: torch.Tensor, b: torch.Tensor, truth: torch.Tensor) -> float:
    """E|a - b|^2 / E|a - y|^2 (the latter averaged over a and b) for two outputs a, b of the same inputs:
    1 for a sampler of the posterior, 0 for a deterministic G."""
    a, b, truth = (v.double().clamp(-1, 1) for v in (a, b, truth))
    spread = (a - b).pow(2).mean()
    error = 0.5 * ((a - truth).pow(2).mean() + (b - truth).pow(2).mean())
    return float(spread / error) if error > 0 else 0.0


def sr_scorer(parts, request, generate, noise):
    """score(rated=parts) -> the metrics above of `rated` (parts of the same task: another run or an
    interpolation) on the first request.n pairs of the data's test split; the split, the bicubic baseline and
    the classifier's reading of the truth are prepared once.

    generate(parts, inputs) and noise(parts, x, generator) are the family's."""
    cfg = parts.cfg
    test = load_dataset(dataclasses.replace(cfg.data, split="test", limit=None))
    scale, n = cfg.data.scale, request.n
    low, truth = to_float(test.a[:n]), to_float(test.b[:n])
    bicubic = to_float(upscale(test.a[:n], scale))
    baseline = restoration(bicubic, truth, scale, "_bicubic")
    judge = Judge(torch.device(request.device)) if cfg.data.name == "fashion_sr" else None
    if judge is not None:
        labels = test.labels[:n]
        truth_read = judge.read(truth)
        read = judge.scores_read(bicubic, truth_read, None, labels, labels)
        baseline |= {"fid_bicubic": read["fid"], "accuracy_bicubic": read["accuracy"]}

    def score(rated=parts) -> dict:
        gen = torch.Generator().manual_seed(request.seed)
        out = generate(rated, {"x": low, "z": noise(rated, low, gen)}, chunk=256)
        result = {"n": len(low), **restoration(out, truth, scale), **baseline}
        if rated.cfg.options.noise:
            again = generate(rated, {"x": low, "z": noise(rated, low, gen)}, chunk=256)
            result["posterior_ratio"] = posterior_ratio(out, again, truth)
        if judge is None:
            result["note"] = NO_CLASSIFIER
        else:
            result |= judge.scores_read(out, truth_read, None, labels, labels)
        return result
    return score
