"""Next-frame prediction networks (objective nextframe): a U-Net frame predictor G and a sequence D.

G(past, z) -> the next frame. The past (B, T_in, C, H, W) is read as one image of T_in * C channels with
`noise` maps of N(0, 1) noise (B, k, H, W) stacked on, and a small fully-convolutional U-Net maps it to
one frame (B, C, H, W): the last frame plus the network's change, clipped to [-1, 1] (see LEAK). We chose
a U-Net over the multi-scale CNN of Mathieu et al. 2016 (four sub-networks, 4 px to full size, each
refining the one below with 5x5 and 7x7 kernels): on a CPU one U-Net call per frame costs about a quarter
of the pyramid's four, its skip connections hand the last frame's sharp pixels straight to the output (so
the network learns where to move them, not how to redraw them), and its bottleneck sees the whole frame,
as the pyramid's coarsest scale does. The bottleneck also
reads its own spatial mean, broadcast back over the map: one whole-frame decision (the fork's up or down)
can then be read from all of the noise at once, not only through a few 3x3 neighbourhoods.

Depth: the frame halves while its side stays even and at least MIN_BOTTLENECK px, at most MAX_DEPTH times
(16 px: 2 levels to 4x4; 28: 2 to 7x7; 32: 3 to 4x4; 64: 4 to 4x4). Widths double from `width` per level.
No normalisation (BatchNorm would couple the examples of a batch and make an EMA copy's statistics
matter; Mathieu's networks have none either) and no dropout: the noise maps are G's only randomness.

predict(past, z, frames): recursive prediction. Each predicted frame joins the window of the last T_in
frames that the next step reads; ONE noise map per sequence is drawn and reused at every step, so a
sequence's randomness is one choice (the branch it takes), not a new coin at every frame.

SequenceDiscriminator: D on (past, future) sequences, their frames stacked as channels, (B, T * C, H, W),
judged by gankit's DCGAN discriminator; with `scales` > 1, one DCGAN D per scale also judges the sequence
average-pooled 2x, 4x, ... (Mathieu et al.'s multi-scale D), and the logits (B, scales) are averaged by the
losses, so each scale's loss counts equally.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from gankit.errors import GankitError
from gankit.models.dcgan import DCGANDiscriminator, resolution_plan

MAX_DEPTH = 4       # stride-2 levels at most
MIN_BOTTLENECK = 4  # the smallest side the bottleneck may have
MAX_WIDTH_FACTOR = 8  # widths double per level up to width * this
# The output is the last frame plus the network's change, clipped to [-1, 1]. In training the clip leaks:
# beyond +-1 a pixel still moves at LEAK of its pre-clip slope (values up to 5% of the overshoot outside the
# range), so no pixel ever stops learning. A tanh output (and a tanh scaled by 1.1 and clipped) fell, on
# fork, into an all-black frame that no loss could bring back (measured: within 100 steps from scratch with
# the gradient difference loss, and within 500-2000 adversarial steps from a pretrained G): once a guess is
# committed to one branch, L2 and the GDL rate a black frame exactly as well as it (a wrong branch costs
# twice its garment, a right one nothing), and in tanh's flat tail nothing pulls it back.
LEAK = 0.05


def predictor_depth(size: int) -> int:
    """Stride-2 levels for a `size` px frame: halve while even and the half is at least MIN_BOTTLENECK px."""
    depth = 0
    while depth < MAX_DEPTH and size % 2 == 0 and size // 2 >= MIN_BOTTLENECK:
        size //= 2
        depth += 1
    return depth


def _convs(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions, each followed by LeakyReLU(0.2)."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.LeakyReLU(0.2),
                         nn.Conv2d(c_out, c_out, 3, padding=1), nn.LeakyReLU(0.2))


def clip_output(frame: torch.Tensor, training: bool) -> torch.Tensor:
    """Frames clipped to [-1, 1]; in training, with a LEAK slope beyond the range (see above)."""
    clipped = frame.clamp(-1, 1)
    return clipped + LEAK * (frame - clipped) if training else clipped


def _kaiming(module: nn.Module) -> None:
    """He initialisation for LeakyReLU(0.2), biases 0: without normalisation, the default init shrinks the
    signal at every layer, and G would learn the black background and little else for its first hundreds of steps."""
    if isinstance(module, nn.Conv2d):
        nn.init.kaiming_normal_(module.weight, a=0.2, nonlinearity="leaky_relu")
        nn.init.zeros_(module.bias)


class FramePredictor(nn.Module):
    """G(past, z): past frames (B, T_in, C, H, W) in [-1, 1] and noise maps (B, k, H, W) -> the next frame
    (B, C, H, W) in [-1, 1]. With k = 0, G(past) is a deterministic function of the past."""

    def __init__(self, frames_in: int, channels: int, size: int, width: int = 32, noise: int = 1):
        super().__init__()
        self.frames_in, self.channels, self.size, self.noise = int(frames_in), int(channels), int(size), int(noise)
        self.depth = predictor_depth(self.size)
        widths = [width * min(2 ** i, MAX_WIDTH_FACTOR) for i in range(self.depth + 1)]
        self.inlet = _convs(self.frames_in * self.channels + self.noise, widths[0])
        self.down = nn.ModuleList(nn.Conv2d(widths[i], widths[i + 1], 4, 2, 1) for i in range(self.depth))
        self.encode = nn.ModuleList(_convs(widths[i + 1], widths[i + 1]) for i in range(self.depth))
        self.bottleneck = _convs(2 * widths[-1], widths[-1])  # its map and the map's mean, broadcast
        self.up = nn.ModuleList(nn.Conv2d(widths[i + 1], widths[i], 3, padding=1) for i in range(self.depth))
        self.decode = nn.ModuleList(_convs(2 * widths[i], widths[i]) for i in range(self.depth))
        self.outlet = nn.Conv2d(widths[0], self.channels, 3, padding=1)
        self.apply(_kaiming)
        nn.init.zeros_(self.outlet.weight)  # G starts as a copy of the last frame


    def forward(self, past: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
        """The frame after `past` (B, T_in, C, H, W) under noise z (B, k, H, W): (B, C, H, W)."""
        b = past.shape[0]
        x = past.reshape(b, self.frames_in * self.channels, *past.shape[-2:])  # (B, T_in * C, H, W)
        if self.noise:
            if z is None:
                raise GankitError(f"this frame predictor takes {self.noise} noise map(s); give z (B, {self.noise}, "
                                  "H, W).")
            x = torch.cat([x, z.to(x.dtype)], dim=1)  # (B, T_in * C + k, H, W)
        skips = [self.inlet(x)]  # (B, w0, H, W)
        for down, encode in zip(self.down, self.encode):
            skips.append(encode(F.leaky_relu(down(skips[-1]), 0.2)))  # (B, w_i, H / 2^i, W / 2^i)
        h = skips.pop()
        h = self.bottleneck(torch.cat([h, h.mean(dim=(2, 3), keepdim=True).expand_as(h)], dim=1))
        for i in reversed(range(self.depth)):
            h = F.leaky_relu(self.up[i](F.interpolate(h, scale_factor=2, mode="nearest")), 0.2)
            h = self.decode[i](torch.cat([h, skips.pop()], dim=1))  # (B, w_i, H / 2^i, W / 2^i)
        change = self.outlet(h)  # (B, C, H, W): what changes from the last frame
        return clip_output(past[:, -1].clamp(-1, 1) + change, self.training)

    def predict(self, past: torch.Tensor, z: torch.Tensor | None, frames: int) -> torch.Tensor:
        """`frames` frames after `past` (B, T_in, C, H, W), each fed back into the window of the last T_in
        frames; the same noise z (B, k, H, W) at every step. Returns (B, frames, C, H, W)."""
        window, out = past, []
        for _ in range(frames):
            frame = self(window, z)  # (B, C, H, W)
            out.append(frame)
            window = torch.cat([window[:, 1:], frame.unsqueeze(1)], dim=1)  # the last T_in frames
        return torch.stack(out, dim=1)


def pooled_sizes(size: int, scales: int) -> list[int]:
    """The sides D's scales judge: size, size / 2, size / 4, ..."""
    return [size // 2 ** s for s in range(scales)]


def check_scales(size: int, scales: int) -> None:
    """A GankitError unless every scale's side is one a DCGAN discriminator builds (4 or 7 times 2^k, k >= 1)."""
    if _fits(size, scales):
        return
    if not _fits(size, 1):
        raise GankitError(f"nextframe's D is a DCGAN discriminator, which reads frames of 4 or 7 times a power of "
                          f"two (16, 28, 32, 64 px), not {size} px; set data.resolution to one of those.")
    fits = max(n for n in range(1, scales) if _fits(size, n))
    raise GankitError(f"nextframe.scales={scales} asks D to judge {size} px frames average-pooled "
                      f"{2 ** (scales - 1)}x, to {size / 2 ** (scales - 1):g} px, smaller than a DCGAN "
                      f"discriminator reads (8 px); set nextframe.scales to {fits} or less.")


def _fits(size: int, scales: int) -> bool:
    """Whether DCGAN discriminators build at every scale's side."""
    for s, side in enumerate(pooled_sizes(size, scales)):
        if size % 2 ** s:
            return False
        try:
            resolution_plan(side)
        except GankitError:
            return False
    return True


class SequenceDiscriminator(nn.Module):
    """D(sequence): frames (B, T, C, H, W) in [-1, 1], stacked as T * C channels -> logits (B, scales), one per
    scale (the whole frame, then average-pooled 2x, 4x, ...)."""

    def __init__(self, frames: int, channels: int, size: int, width: int = 64, d_norm: str = "batch",
                 spectral_norm: bool = False, scales: int = 1):
        super().__init__()
        check_scales(size, scales)
        self.frames, self.channels = int(frames), int(channels)
        self.judges = nn.ModuleList(DCGANDiscriminator((self.frames * self.channels, side, side), width, d_norm,
                                                       spectral_norm) for side in pooled_sizes(size, scales))

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        """Logits (B, scales) of sequences (B, T, C, H, W)."""
        x = sequence.flatten(1, 2)  # (B, T * C, H, W)
        logits = []
        for s, judge in enumerate(self.judges):
            logits.append(judge(F.avg_pool2d(x, 2 ** s) if s else x))  # (B,)
        return torch.stack(logits, dim=1)
