"""Super-resolution (objective: srgan): SRResNet / SRGAN (Ledig et al. 2017) and ESRGAN's losses (Wang et al. 2018).

G (gankit.models.srresnet) maps a low-resolution image x, and noise maps z when srgan.noise > 0, to an
image data.scale times larger; D judges high-resolution images alone. G minimises

    pixel_weight * pixel(G(x), y) + feature_weight * |phi(G(x)) - phi(y)|_1 + adv_weight * adversarial

with pixel the L1 or mean squared distance (srgan.pixel_loss), phi a fixed network's features
(gankit.losses.perceptual: the Fashion-MNIST classifier, or VGG19 from a weights file the user gives), and
the adversarial term the relativistic average GAN's (ESRGAN) or loss.name's (SRGAN's non-saturating).
srgan.adv_weight = 0 (and feature_weight 0) is the PSNR-oriented model: no D is trained. As the papers do,
the first srgan.pretrain_steps steps train G on the pixel loss alone (no D update); a GAN may instead start
from a PSNR run's G with model.init_from=RUN.

Scored on the test split (gankit.metrics.super_resolution): PSNR and SSIM with a border of `scale`
pixels cropped (as BasicSR), bicubic upsampling beside them, the posterior-sampling signature when G takes
noise, and on Fashion-MNIST the classifier's FID and accuracy of the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.losses.perceptual import feature_network
from gankit.losses.pixel import pixel_distance
from gankit.losses.relativistic import relativistic_average
from gankit.metrics.super_resolution import sr_scorer
from gankit.models import DISCRIMINATORS
from gankit.models.srresnet import SRResNet
from gankit.models.translation import network_names
from gankit.objectives import gan
from gankit.objectives.parts import Evaluation, Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.sampling import generate as generate_from
from gankit.objectives.translation import DRAW, WRITERS, first_images, probe_count, sources

FEATURE_NETS = ("auto", "classifier", "vgg19", "none")


@dataclass
class Options:
    """Super-resolution's keys (section `srgan:`)."""

    pixel_loss: str = option("l1", "G's distance to the high-resolution truth: l1 (ESRGAN) or mse (SRResNet)",
                             choices=("l1", "mse"))
    pixel_weight: float = option(1.0, "weight of the pixel loss", low=0)
    feature_weight: float = option(0.0, "weight of the feature loss (SRGAN's VGG loss; 0: none)", low=0)
    feature_net: str = option("auto", "the feature loss's network: classifier (the shipped Fashion-MNIST one, 1 x 28 "
                              "x 28 images), vgg19 (srgan.vgg_weights), auto (vgg19 when its weights are given, else "
                              "the classifier)", choices=FEATURE_NETS)
    vgg_weights: str | None = option(None, "a VGG19 weights file in torchvision's layout (.pth or .safetensors)")
    adv_weight: float = option(0.0, "weight of G's adversarial loss (0: the PSNR-oriented model, no D)", low=0)
    adversarial: str = option("relativistic", "relativistic (ESRGAN's relativistic average GAN) or standard "
                              "(loss.name, SRGAN's non-saturating)", choices=("relativistic", "standard"))
    pretrain_steps: int = option(0, "first steps of the pixel loss alone (no D, no feature loss)", low=0)
    noise: int = option(1, "noise maps stacked onto G's input (0: a deterministic G)", low=0)


def _opts(cfg) -> Options:
    """The run's srgan options (the defaults for a config of another objective)."""
    return cfg.options if isinstance(cfg.options, Options) else Options()


def high_shape(cfg, spec: DataSpec) -> tuple[int, int, int]:
    """The high-resolution images' (C, H, W): the input's times data.scale."""
    c, h, w = spec.shape
    return (c, h * cfg.data.scale, w * cfg.data.scale)


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G: SRResNet on the input's shape, D on the high-resolution shape, probe pairs from the training data."""
    m, opts = cfg.model, _opts(cfg)
    g_name, d_name = network_names(m)
    if g_name != "srresnet" or d_name not in DISCRIMINATORS:
        raise GankitError(f"objective=srgan trains the srresnet generator and a {' | '.join(DISCRIMINATORS)} "
                          f"discriminator, not {g_name} and {d_name}; set model.name=srgan (its D is dcgan; "
                          f"model.discriminator picks another).")
    if opts.adversarial == "relativistic" and cfg.loss.penalty != "none" and opts.adv_weight > 0:
        raise GankitError(f"loss.penalty={cfg.loss.penalty} goes with srgan.adversarial=standard; set loss.penalty="
                          "none for the relativistic GAN.")
    feature_kind(cfg, spec)  # one sentence now, not at the first step
    high = high_shape(cfg, spec)
    G = SRResNet(spec.shape[0], cfg.data.scale, m.g_width or m.width, m.g_blocks, opts.noise)
    D = DISCRIMINATORS[d_name](m, high)
    n = probe_count(cfg)
    return Parts(
        cfg=cfg, nets={"G": G, "D": D},
        optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
        emas={"G_ema": "G"},
        buffers={"probe_a": first_images(getattr(data, "a", None), n, spec.shape),
                 "probe_b": first_images(getattr(data, "b", None), n, high)},
    )


def feature_kind(cfg, spec: DataSpec) -> str | None:
    """The feature loss's network (classifier | vgg19), or None without a feature loss; one sentence where
    none fits the images."""
    opts = _opts(cfg)
    if opts.feature_weight == 0 or opts.feature_net == "none":
        return None
    kind = opts.feature_net
    if kind == "auto":
        kind = "vgg19" if opts.vgg_weights else "classifier"
    high = high_shape(cfg, spec)
    if kind == "classifier" and high != (1, 28, 28):
        raise GankitError(f"srgan.feature_weight={opts.feature_weight} needs a feature network, and the shipped "
                          f"Fashion-MNIST classifier reads 1x28x28 images, not {'x'.join(map(str, high))}; set "
                          f"srgan.vgg_weights to a VGG19 weights file (torchvision's layout) or srgan.feature_weight=0.")
    if kind == "vgg19" and not opts.vgg_weights:
        raise GankitError("srgan.feature_net=vgg19 needs its weights; set srgan.vgg_weights to torchvision's "
                          "vgg19-dcbb9e9d.pth (or its tensors as .safetensors).")
    return kind


_FEATURE_NETS: dict = {}  # (kind, weights file, device) -> the frozen network, loaded once per process


def _features(parts: Parts, device: torch.device):
    kind = feature_kind(parts.cfg, parts.spec)
    key = (kind, _opts(parts.cfg).vgg_weights, str(device))
    if key not in _FEATURE_NETS:
        _FEATURE_NETS[key] = feature_network(kind, _opts(parts.cfg).vgg_weights).to(device)
    return _FEATURE_NETS[key]


def noise_maps(k: int, n: int, size, generator: torch.Generator | None, device) -> torch.Tensor:
    """n images' k N(0, 1) noise maps of size (h, w): (n, k, h, w)."""
    return torch.randn((n, k, *size), generator=generator, device=device)


def noise(parts: Parts, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor | None:
    """Noise maps for inputs x (B, C, h, w): (B, k, h, w) on x's device, or None for a deterministic G."""
    k = _opts(parts.cfg).noise
    return noise_maps(k, len(x), x.shape[2:], generator, x.device) if k else None


def _adversarial(parts: Parts, t) -> bool:
    opts = _opts(parts.cfg)
    return opts.adv_weight > 0 and t.step >= opts.pretrain_steps


def d_loss(parts: Parts, high: torch.Tensor, fake: torch.Tensor, t) -> tuple[torch.Tensor, dict]:
    """D's loss on real high-resolution images and G's outputs: the relativistic average GAN's, or loss.name's
    (with its penalty) through gankit.objectives.gan."""
    D = parts.nets["D"]
    with t.autocast():
        if _opts(parts.cfg).adversarial == "standard":
            loss, stats, _ = gan.discriminate(parts.cfg.loss, lambda x: (D(x), None), high, fake.detach(), t)
            return loss, stats
        d_real, d_fake = D(high).float(), D(fake.detach()).float()  # (B,) each
    loss = relativistic_average(d_real, d_fake, t)
    return loss, {"loss_D": loss.detach(), "D_real": torch.sigmoid(d_real.detach()).mean(),
                  "D_fake": torch.sigmoid(d_fake.detach()).mean()}


def g_adversarial(parts: Parts, high: torch.Tensor, fake: torch.Tensor, t) -> torch.Tensor:
    """G's adversarial loss on its outputs (call with D frozen)."""
    D = parts.nets["D"]
    if _opts(parts.cfg).adversarial == "standard":
        return loss_for(parts.cfg.loss).g(D(fake).float())
    with torch.no_grad():
        d_real = D(high).float()
    return relativistic_average(D(fake).float(), d_real, t)


def train_step(parts: Parts, data, t) -> dict:
    """One D update on (high-resolution images, G's outputs) once the adversarial phase has begun, then one
    G update on the same batch."""
    G, D, opts = parts.nets["G"], parts.nets["D"], _opts(parts.cfg)
    low, high = t.batch(data, parts.cfg.train.batch_size)  # (B, C, h, w), (B, C, H, W)
    z = t.draw("noise", lambda m, g: noise_maps(opts.noise, m, low.shape[2:], g, t.device),
               len(low)) if opts.noise else None
    with t.autocast():
        fake = G(low, z)  # (B, C, H, W), G's graph kept for its update
    stats = {}
    adversarial = _adversarial(parts, t)
    if adversarial:
        loss_d, stats = d_loss(parts, high, fake, t)
        t.update("D", loss_d)
    with t.frozen(D), t.autocast():
        pixel = pixel_distance(fake, high, squared=opts.pixel_loss != "l1")
        loss_g = opts.pixel_weight * pixel
        stats["pixel"] = pixel.detach()
        if t.step >= opts.pretrain_steps and feature_kind(parts.cfg, parts.spec):
            phi = _features(parts, t.device)
            feature = (phi(fake.float()) - phi(high.float())).abs().mean()
            loss_g = loss_g + opts.feature_weight * feature
            stats["feature"] = feature.detach()
        if adversarial:
            adv = g_adversarial(parts, high, fake, t)
            loss_g = loss_g + opts.adv_weight * adv
            stats["loss_G"] = adv.detach()
    t.update("G", loss_g)
    return stats


def inputs(parts: Parts, n: int | None, generator: torch.Generator, images: torch.Tensor | None = None) -> dict:
    """The given low-resolution images, else n probe inputs (with their truths), drawn with replacement; and
    G's noise for each, from `generator`."""
    x, idx = sources(parts.buffers["probe_a"], n, generator, images)
    out = {"x": x}
    z = noise(parts, x, generator)
    if z is not None:
        out["z"] = z
    if idx is not None:
        out["target"] = parts.buffers["probe_b"].cpu()[idx]
    return out


def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """G's high-resolution outputs of inputs["x"] (and noise inputs["z"]), the EMA copy when kept, on the CPU."""
    return generate_from(parts.net("G"), inputs["x"], chunk, y=inputs.get("z")).cpu()


def enlarged(x: torch.Tensor, scale: int) -> torch.Tensor:
    """Low-resolution images shown at the high resolution: each pixel a scale x scale block."""
    return F.interpolate(x, scale_factor=scale, mode="nearest")


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """input (enlarged) | output | a second output of other noise (when G takes noise) | truth, per probe."""
    a, b = parts.buffers["probe_a"].cpu(), parts.buffers["probe_b"].cpu()
    gen = torch.Generator().manual_seed(0)
    outputs = [generate(parts, {"x": a, "z": noise(parts, a, gen)})]
    if _opts(parts.cfg).noise:
        outputs.append(generate(parts, {"x": a, "z": noise(parts, a, gen)}))
    columns = [enlarged(a, parts.cfg.data.scale), *outputs, b]
    return {"kind": "grid", "images": torch.stack(columns, dim=1).flatten(0, 1), "nrow": 4 * len(columns)}


def export(parts: Parts) -> Export:
    """G (its EMA copy when kept), from low-resolution images x (batch, C, h, w) in [-1, 1] (and noise z) to
    images data.scale times larger."""
    x = torch.zeros((2, *parts.spec.shape))
    example = {"x": x}
    meta = {"x": "low-resolution images in [-1, 1]", "scale": parts.cfg.data.scale}
    if _opts(parts.cfg).noise:
        example["z"] = noise(parts, x, torch.Generator().manual_seed(0))
        meta["z"] = f"noise maps (batch, {_opts(parts.cfg).noise}, h, w), standard normal"
    return Export(parts.net("G"), example, meta)


def best_metric(cfg, spec) -> str:
    """A GAN is kept by its FID where the classifier reads the images, a PSNR-oriented model by its PSNR."""
    return "fid" if _opts(cfg).adv_weight > 0 and cfg.data.name == "fashion_sr" else "psnr"


def _metrics(cfg, spec) -> dict:
    judged = ("fid", "accuracy", "fid_bicubic", "accuracy_bicubic", "accuracy_real") if cfg.data.name == "fashion_sr" else ()
    posterior = ("posterior_ratio",) if _opts(cfg).noise else ()
    return {"super_resolution": ("psnr", "ssim", "psnr_bicubic", "ssim_bicubic") + judged + posterior}


def _graphable(cfg) -> str | None:
    opts = _opts(cfg)
    if opts.pretrain_steps and (opts.adv_weight > 0 or opts.feature_weight > 0):
        return f"srgan.pretrain_steps={opts.pretrain_steps} changes the losses mid-run"
    return None


EVALUATION = Evaluation(groups=_metrics, defaults=lambda cfg, spec: ("super_resolution",), best=best_metric,
                        lower_is_better=frozenset({"fid", "fid_bicubic"}),
                        prepare=lambda parts, request: sr_scorer(parts, request, generate, noise))

FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=EVALUATION, writers=WRITERS,
                data=(("super_resolution",), "super-resolution pairs (fashion_sr, or sr_folder with your images)"),
                draw=DRAW, options=Options, translates=True, export=export, graphable=_graphable,
                headline=("pixel", "loss_D", "loss_G"))
