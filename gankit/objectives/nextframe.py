"""Next-frame prediction (objective: nextframe): Mathieu, Couprie & LeCun 2016, "Deep multi-scale video
prediction beyond mean square error".

G (gankit.models.frame_predictor) reads the past frames (B, T_in, C, H, W) and noise maps z (B, k, H, W)
and draws the next frame; nextframe.train_frames future frames are predicted recursively (each prediction
joins the window of the last T_in frames, the same z at every step). D judges whole (past, future)
sequences, frames stacked as channels, at nextframe.scales scales. G minimises Mathieu et al.'s

    adv_weight * L_adv + distance_weight * L_p + gdl_weight * L_gdl  (- diversity_weight * L_z)

with L_p the mean squared (l2) or absolute (l1) difference to the true future, L_gdl the image gradient
difference loss (gankit.losses.gradient_difference), L_adv loss.name's G loss (with its penalty on D's
side, through gankit.objectives.gan.discriminate), and L_z the diversity-sensitive term of Yang et al.
2019 (DSGAN): min(|G(x, z1) - G(x, z2)|_1 / |z1 - z2|_1, tau) per sequence, which G maximises so that it
cannot ignore its noise. One iteration: one D update, then one G update on the same batch (as pix2pix);
adv_weight = 0 is regression alone (no D update), and the first nextframe.pretrain_steps train it alone.
Where the future may go two ways (fork), a regression learns their average, a garment split in half; a GAN
can draw one of them sharply.

Scored on the test split (fixed sequences of test garments): per-frame MSE (the Moving MNIST convention:
the sum over a frame's pixels), PSNR, SSIM and the sharpness difference (gankit.metrics.nextframe); on fork
also how often a prediction shows one garment on a valid branch and which, over K noise draws per past.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gankit.data import DataSpec, load_dataset, to_uint8
from gankit.errors import GankitError
from gankit.losses import loss_for
from gankit.losses.gradient_difference import gradient_difference
from gankit.losses.pixel import pixel_distance
from gankit.metrics import nextframe as frame_metrics
from gankit.models.frame_predictor import FramePredictor, SequenceDiscriminator
from gankit.models.translation import network_names
from gankit.objectives import gan
from gankit.objectives.parts import Evaluation, Export, Family, OptimizerSpec, Parts, option
from gankit.objectives.translation import pick, probe_count
from gankit.viz.gif import save_gif
from gankit.viz.grid import make_grid, save_grid, upscale

FORK_DRAWS = 3        # noise draws of one past side by side in pictures (fork data)
FORK_EVAL_DRAWS = 8   # K: noise draws per test past for the fork's branch scores
PREVIEW_PASTS = 8     # probe pasts in the progress picture
MAX_EVAL = 2000       # test sequences scored at most (10,000 of 64 px, 20 frames, would hold 3 GB)
TEST_SET_SEED = 0     # the fixed test sequences: the same for every run and evaluation seed


@dataclass
class Options:
    """Next-frame prediction's keys (section `nextframe:`)."""

    distance: str = option("l2", "G's pixel distance to the true future: l2 (mean squared, Mathieu's L_2) or l1",
                           choices=("l2", "l1"))
    distance_weight: float = option(1.0, "weight of the pixel distance (lambda_lp)", low=0)
    gdl_weight: float = option(1.0, "weight of the image gradient difference loss (lambda_gdl; 0: none)", low=0)
    gdl_alpha: float = option(1.0, "the gradient difference loss's exponent alpha (the paper's 1)", low=1)
    adv_weight: float = option(0.05, "weight of G's adversarial loss (lambda_adv, the paper's 0.05; 0: regression "
                               "alone, no D trained)", low=0)
    train_frames: int = option(0, "future frames the losses and D cover, predicted recursively (0: all "
                               "data.frames_out)", low=0)
    noise: int = option(1, "noise maps stacked onto G's input, one draw per sequence reused at every frame (0: a "
                        "deterministic G)", low=0)
    noise_spread: str = option("pixel", "how each noise map is drawn: pixel (an independent N(0, 1) value at "
                               "every pixel) or frame (one N(0, 1) value per map, replicated over the frame, as "
                               "BicycleGAN injects z: a whole-frame choice, such as the fork's branch, is then one "
                               "number to read)", choices=("pixel", "frame"))
    scales: int = option(1, "scales D judges: the frames, then average-pooled 2x, 4x, ... (one DCGAN D each, "
                         "losses averaged)", low=1)
    diversity_weight: float = option(0.0, "weight of the diversity-sensitive term (Yang et al. 2019): G maximises "
                                     "min(|G(x, z1) - G(x, z2)|_1 / |z1 - z2|_1, tau) (0: off)", low=0)
    diversity_tau: float = option(0.1, "tau, the bound of the diversity-sensitive term", low=0, low_inclusive=False)
    pretrain_steps: int = option(0, "first steps of regression alone (distance and GDL: no D, no diversity term)",
                                 low=0)


def _opts(cfg) -> Options:
    """The run's nextframe options (the defaults for a config of another objective)."""
    return cfg.options if isinstance(cfg.options, Options) else Options()


def forks(cfg) -> bool:
    """Whether every past has two true futures (data.name=fork), scored by its branches."""
    return cfg.data.name == "fork"


def train_frames(cfg) -> int:
    """Future frames the losses cover: nextframe.train_frames, or all of data.frames_out for 0."""
    wanted, frames_out = _opts(cfg).train_frames, cfg.data.frames_out
    if wanted > frames_out:
        raise GankitError(f"nextframe.train_frames={wanted} is more than the data's data.frames_out={frames_out} "
                          f"future frames; set nextframe.train_frames to {frames_out} or less (0: all).")
    return wanted or frames_out


def build(cfg, spec: DataSpec, data=None) -> Parts:
    """G: the frame predictor, D: the sequence discriminator over past + train_frames frames; probe sequences
    (the first of the training data's fixed set; zeros, restored from a checkpoint, without data)."""
    m, opts = cfg.model, _opts(cfg)
    if network_names(m) != ("dcgan", "dcgan"):
        raise GankitError(f"objective=nextframe trains its own frame predictor G and a dcgan sequence "
                          f"discriminator, not {' and '.join(network_names(m))}; leave model.name, model.generator "
                          "and model.discriminator unset (model.width sets both networks' widths).")
    if opts.diversity_weight > 0 and opts.noise == 0:
        raise GankitError("nextframe.diversity_weight rewards predictions that differ with their noise, and "
                          "nextframe.noise=0 gives G none; set nextframe.noise to 1 or more.")
    frames_in, channels, size, _ = spec.shape
    G = FramePredictor(frames_in, channels, size, m.g_width or m.width, opts.noise)
    D = SequenceDiscriminator(frames_in + train_frames(cfg), channels, size, m.d_width or m.width, m.d_norm,
                              m.spectral_norm, opts.scales)
    return Parts(cfg=cfg, nets={"G": G, "D": D},
                 optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
                 emas={"G_ema": "G"}, buffers=_probes(cfg, spec, data))


def _probes(cfg, spec: DataSpec, data) -> dict:
    """probe_past (n, T_in, C, H, W) and probe_future (n, T_out, C, H, W) on the CPU."""
    n = probe_count(cfg)
    if data is None:
        return {"probe_past": torch.zeros((n, *spec.shape)),
                "probe_future": torch.zeros((n, cfg.data.frames_out, *spec.shape[1:]))}
    fixed = data.fixed(n, seed=cfg.train.seed)
    return {"probe_past": fixed["past"].cpu(), "probe_future": fixed["future"].cpu()}


def noise_maps(opts: Options, n: int, size: tuple[int, int], generator: torch.Generator | None,
               device=None) -> torch.Tensor:
    """N(0, 1) noise maps (n, k, H, W): a value per pixel, or per map replicated over the frame
    (nextframe.noise_spread)."""
    h, w = size
    if opts.noise_spread == "frame":
        return torch.randn((n, opts.noise, 1, 1), generator=generator, device=device).repeat(1, 1, h, w)
    return torch.randn((n, opts.noise, h, w), generator=generator, device=device)


def draw_noise(parts: Parts, n: int, generator: torch.Generator | None = None) -> torch.Tensor | None:
    """G's noise maps (n, k, H, W) on the generator's device, or None for a deterministic G."""
    opts = _opts(parts.cfg)
    if opts.noise == 0:
        return None
    return noise_maps(opts, n, parts.spec.shape[-2:], generator, generator.device if generator is not None else None)


def diversity(a: torch.Tensor, b: torch.Tensor, za: torch.Tensor, zb: torch.Tensor, tau: float) -> torch.Tensor:
    """Yang et al. 2019's term for two predictions (B, T, C, H, W) of one past under noise za, zb (B, k, H, W):
    the mean over sequences of min(mean |a - b| / mean |za - zb|, tau)."""
    ratio = (a.float() - b.float()).abs().flatten(1).mean(1) / (za.float() - zb.float()).abs().flatten(1).mean(1)
    return ratio.clamp(max=tau).mean()


def _judge(D, past: torch.Tensor):
    return lambda future: (D(torch.cat([past, future], dim=1)), None)  # logits (B, scales)


def train_step(parts: Parts, data, t) -> dict:
    """One D update on (past, true future) against (past, predicted future) when adversarial, then one G update
    on the same batch."""
    G, D, opts = parts.nets["G"], parts.nets["D"], _opts(parts.cfg)
    past, future = t.batch(data, parts.cfg.train.batch_size)  # (B, T_in, C, H, W), (B, T_out, C, H, W)
    frames = train_frames(parts.cfg)
    future = future[:, :frames]
    b, (_, _, h, w) = len(past), parts.spec.shape

    def noise() -> torch.Tensor | None:
        if not opts.noise:
            return None
        return t.draw("noise", lambda m, g: noise_maps(opts, m, (h, w), g, t.device), b)

    z = noise()
    with t.autocast():
        fake = G.predict(past, z, frames)  # (B, frames, C, H, W), G's graph kept for its update
    stats = {}
    adversarial = opts.adv_weight > 0 and t.step >= opts.pretrain_steps
    if adversarial:
        with t.autocast():
            loss_d, stats, _ = gan.discriminate(parts.cfg.loss, _judge(D, past), future, fake.detach(), t)
        t.update("D", loss_d)
        gan.after_d_update(parts)
    with t.frozen(D), t.autocast():
        distance = pixel_distance(fake, future, squared=opts.distance == "l2")
        loss_g = opts.distance_weight * distance
        stats["distance"] = distance.detach()
        if opts.gdl_weight > 0:
            gdl = gradient_difference(fake, future, opts.gdl_alpha)
            loss_g = loss_g + opts.gdl_weight * gdl
            stats["gdl"] = gdl.detach()
        if adversarial:
            adv = loss_for(parts.cfg.loss).g(D(torch.cat([past, fake], dim=1)).float())
            loss_g = loss_g + opts.adv_weight * adv
            stats["loss_G"] = adv.detach()
        if opts.diversity_weight > 0 and t.step >= opts.pretrain_steps:
            z2 = noise()
            term = diversity(fake, G.predict(past, z2, frames), z, z2, opts.diversity_tau)
            loss_g = loss_g - opts.diversity_weight * term
            stats["diversity"] = term.detach()
    t.update("G", loss_g)
    return stats


def draws_per_past(cfg) -> int:
    """Noise draws of one past shown side by side: several where the future forks and G takes noise."""
    return FORK_DRAWS if forks(cfg) and _opts(cfg).noise else 1


def inputs(parts: Parts, n: int | None, generator: torch.Generator) -> dict:
    """n probe pasts (default: as many as the run keeps) drawn with replacement, each repeated for the fork's
    several draws, their true futures, and G's noise for each from `generator`."""
    count, draws = n or probe_count(parts.cfg), draws_per_past(parts.cfg)
    _, idx = pick(parts.buffers["probe_past"], -(-count // draws), generator)
    idx = idx.repeat_interleave(draws)[:count]
    out = {"past": parts.buffers["probe_past"].cpu()[idx], "future": parts.buffers["probe_future"].cpu()[idx]}
    z = draw_noise(parts, count, generator)
    return out | ({"z": z} if z is not None else {})


@torch.no_grad()
def generate(parts: Parts, inputs: dict, chunk: int = 500) -> torch.Tensor:
    """data.frames_out frames predicted recursively after inputs["past"] (N, T_in, C, H, W) under inputs["z"],
    by G (its EMA copy when kept) in eval mode: (N, T_out, C, H, W) on the CPU."""
    G = parts.net("G")
    was, device = G.training, next(G.parameters()).device
    G.eval()
    past, z, out = inputs["past"], inputs.get("z"), []
    try:
        for start in range(0, len(past), chunk):
            noise = None if z is None else z[start:start + chunk].to(device)
            frames = G.predict(past[start:start + chunk].to(device), noise, parts.cfg.data.frames_out)
            out.append(frames.float().cpu())  # (chunk, T_out, C, H, W)
    finally:
        G.train(was)
    return torch.cat(out)


def _rows(past: torch.Tensor, predictions: list[torch.Tensor], future: torch.Tensor | None) -> tuple[torch.Tensor, int]:
    """Sequences side by side, a grey frame between: (rows * per_row, C, H, W) and per_row."""
    gap = torch.zeros_like(past[:, :1])  # (N, 1, C, H, W) mid-grey
    pieces = [past] + [x for p in predictions for x in (gap, p)] + ([gap, future] if future is not None else [])
    rows = torch.cat(pieces, dim=1)  # (N, per_row, C, H, W)
    return rows.flatten(0, 1), rows.shape[1]


@torch.no_grad()
def preview(parts: Parts, data) -> dict:
    """A row per probe past: past | predicted (FORK_DRAWS noise draws on fork) | true future."""
    past, future = (parts.buffers[k][:PREVIEW_PASTS].cpu() for k in ("probe_past", "probe_future"))
    gen = torch.Generator().manual_seed(0)
    predictions = [generate(parts, {"past": past, "z": draw_noise(parts, len(past), gen)})
                   for _ in range(draws_per_past(parts.cfg))]
    images, per_row = _rows(past, predictions, future)
    return {"kind": "grid", "images": images, "nrow": per_row}


def _scale(frames: torch.Tensor) -> int:
    return max(1, 64 // frames.shape[-1])  # frames shown at about 64 px


def draw(stem, preview: dict, data) -> Path:
    """The progress picture stem.png: the preview's rows, each frame at about 64 px."""
    images = preview["images"]
    return save_grid(images, Path(stem).with_suffix(".png"), nrow=preview["nrow"], scale=_scale(images))


def write_png(path, samples: torch.Tensor, inputs: dict, parts: Parts) -> None:
    """A row per sample: past | predicted | true future (fork: consecutive rows share a past)."""
    images, per_row = _rows(inputs["past"], [samples], inputs.get("future"))
    save_grid(images, path, nrow=per_row, scale=_scale(samples))


def write_gif(path, samples: torch.Tensor, inputs: dict, parts: Parts) -> None:
    """An animation a row per sample: the past then the predicted frames, beside the past then the true ones."""
    predicted = torch.cat([inputs["past"], samples], dim=1)  # (N, T_in + T_out, C, H, W)
    true = torch.cat([inputs["past"], inputs["future"]], dim=1) if "future" in inputs else None
    columns = [predicted] + ([true] if true is not None else [])
    frames = [upscale(make_grid(torch.stack([c[:, t] for c in columns], dim=1).flatten(0, 1), nrow=len(columns)),
                      _scale(samples)) for t in range(predicted.shape[1])]
    save_gif(frames, path, duration_ms=200)


def write_npz(path, samples: torch.Tensor, inputs: dict, parts: Parts) -> None:
    """uint8 `past`, `predicted` (and `future`) arrays, N x T x H x W x C."""
    named = {"past": inputs["past"], "predicted": samples, "future": inputs.get("future")}
    arrays = {k: to_uint8(x).permute(0, 1, 3, 4, 2).numpy() for k, x in named.items() if x is not None}
    with open(path, "xb") as f:  # never overwrites
        np.savez_compressed(f, **arrays)


def score_predictions(pred: torch.Tensor, future: torch.Tensor) -> dict:
    """The prediction group: means over future frames and each frame's value (mse_frame1, ...)."""
    per_frame = {"mse": frame_metrics.per_frame_mse(pred, future), "psnr": frame_metrics.per_frame_psnr(pred, future),
                 "ssim": frame_metrics.per_frame_ssim(pred, future)}
    out = {name: sum(values) / len(values) for name, values in per_frame.items()}
    out |= {"sharpness_difference": frame_metrics.sharpness_difference(pred, future),
            "sharpness": frame_metrics.sharpness(pred), "sharpness_true": frame_metrics.sharpness(future)}
    return out | {f"{name}_frame{t + 1}": v for name, values in per_frame.items() for t, v in enumerate(values)}


def score_branches(parts: Parts, past: torch.Tensor, futures: torch.Tensor, generator: torch.Generator) -> dict:
    """The fork group over FORK_EVAL_DRAWS noise draws per past (one draw for a deterministic G)."""
    k = FORK_EVAL_DRAWS if _opts(parts.cfg).noise else 1
    draws = torch.stack([generate(parts, {"past": past, "z": draw_noise(parts, len(past), generator)}, chunk=256)
                         for _ in range(k)], dim=1)  # (N, K, T_out, C, H, W)
    balance = frame_metrics.branch_balance(draws, futures)
    first = frame_metrics.fork_scores(draws[:, 0], futures)
    return {key: balance[key] for key in ("one_garment_share", "branch_balance", "draws_differ_share")} | {
        "branch_up_share": first["branch_up_share"], "draws": k}


def scorer(parts: Parts, request):
    """score() -> the requested groups on the first min(n, MAX_EVAL) fixed sequences of the test split."""
    test = load_dataset(dataclasses.replace(parts.cfg.data, split="test", limit=None))
    fixed = {k: v.cpu() for k, v in test.fixed(min(request.n, MAX_EVAL), seed=TEST_SET_SEED).items()}
    past = fixed["past"]

    def score() -> dict:
        gen = torch.Generator().manual_seed(request.seed)
        out = {"n": len(past)}
        if "prediction" in request.groups:
            pred = generate(parts, {"past": past, "z": draw_noise(parts, len(past), gen)}, chunk=256)
            out |= score_predictions(pred, fixed["future"])
        if "fork" in request.groups:
            out |= score_branches(parts, past, fixed["futures"], gen)
        return out
    return score


def _groups(cfg, spec) -> dict:
    groups = {"prediction": ("mse", "psnr", "ssim", "sharpness_difference")}
    if forks(cfg):
        groups["fork"] = ("one_garment_share", "branch_balance", "draws_differ_share")
    return groups


def best_metric(cfg, spec) -> str:
    """A GAN is kept by its sharpness difference, a regression by its MSE."""
    return "sharpness_difference" if _opts(cfg).adv_weight > 0 else "mse"


def _graphable(cfg) -> str | None:
    opts = _opts(cfg)
    if opts.pretrain_steps and (opts.adv_weight > 0 or opts.diversity_weight > 0):
        return f"nextframe.pretrain_steps={opts.pretrain_steps} changes the losses mid-run"
    return gan.lazy_regularisation(cfg)


def export(parts: Parts) -> Export:
    """G's one step (its EMA copy when kept): past frames (batch, T_in, C, H, W) in [-1, 1] and noise z
    (batch, k, H, W) -> the next frame (batch, C, H, W); predict further by feeding it back."""
    past = torch.zeros((2, *parts.spec.shape))
    example, meta = {"past": past}, {"past": "the last T_in frames in [-1, 1], oldest first",
                                     "recursive": "append the output to past, drop its first frame, call again "
                                                  "with the same z"}
    z = draw_noise(parts, 2, torch.Generator().manual_seed(0))
    if z is not None:
        example["z"] = z
        spread = ("one standard normal value per map, the same at every pixel" if _opts(parts.cfg).noise_spread
                  == "frame" else "standard normal at every pixel")
        meta["z"] = f"noise maps (batch, {_opts(parts.cfg).noise}, H, W), {spread}, one draw per sequence"
    return Export(parts.net("G"), example, meta)


EVALUATION = Evaluation(groups=_groups, defaults=lambda cfg, spec: tuple(_groups(cfg, spec)), best=best_metric,
                        lower_is_better=frozenset({"mse"}), prepare=scorer)

FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=EVALUATION, writers={".png": write_png, ".gif": write_gif, ".npz": write_npz},
                data=(("sequence",), "frame sequences (moving_fashion, fork)"), draw=draw,
                options=Options, graphable=_graphable, export=export,
                headline=("distance", "loss_D", "loss_G"))
