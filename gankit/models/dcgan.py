"""DCGAN (Radford et al. 2015) for any square resolution base * 2**k, base 4 or 7, k >= 1.

One pair of classes serves every size: 8, 16, 32, 64 use base 4 and 28 uses
base 7 (7 -> 14 -> 28), so MNIST needs no resizing. ``width`` is the channel
count of the feature map nearest the image; it doubles per resolution step.
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.errors import GankitError
from gankit.models.layers import ConditionalBatchNorm2d, maybe_spectral_norm, output_activation

BASES = (4, 7)
D_NORMS = ("batch", "layer", "none")
COMMON_RESOLUTIONS = (8, 16, 28, 32, 64)


def resolution_plan(size: int) -> tuple[int, int]:
    """Return (base, k) with size == base * 2**k, or raise GankitError."""
    for base in BASES:
        q, rem = divmod(int(size), base)
        # q must be a power of two >= 2 so that k >= 1 upsampling steps exist.
        if rem == 0 and q >= 2 and (q & (q - 1)) == 0:
            return base, q.bit_length() - 1
    raise GankitError(
        f"dcgan cannot build resolution {size}; use one of "
        f"{', '.join(str(r) for r in COMMON_RESOLUTIONS)} (any 4 or 7 times a power of two) "
        "or set data.resolution."
    )


def image_plan(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """Check an image shape (C, H, W) and return (C, size, base, k)."""
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise GankitError(f"dcgan needs image data shaped (C, H, W), got {shape}; use mlp for toy data.")
    c, h, w = shape
    if h != w:
        raise GankitError(f"dcgan needs square images, got {h}x{w}; set data.resolution to resize.")
    base, k = resolution_plan(h)
    return c, h, base, k


def dcgan_init(module: nn.Module) -> None:
    """DCGAN paper init: conv/linear weights N(0, 0.02), norm scales N(1, 0.02), biases 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


def d_norm_layer(kind: str, channels: int) -> nn.Module:
    """Normalisation after a D conv: BatchNorm2d, per-sample GroupNorm(1, ch), or nothing."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":
        # One group = layer norm over (C, H, W) per sample: no batch coupling,
        # which the WGAN-GP gradient penalty requires.
        return nn.GroupNorm(1, channels)
    if kind == "none":
        return nn.Identity()
    raise GankitError(f"unknown d_norm {kind!r}; use one of: {', '.join(D_NORMS)}.")


class DCGANGenerator(nn.Module):
    """z -> Linear -> (width * 2**(k-1), base, base) -> k ConvTranspose2d(4, 2, 1) steps -> image.

    With num_classes > 0 every BatchNorm is a class-conditional one and the
    forward pass takes the labels: G(z, y) (Miyato and Koyama 2018's generator).
    """

    def __init__(self, z_dim: int, shape: tuple[int, ...], width: int = 64, g_out: str = "tanh",
                 num_classes: int = 0):
        super().__init__()
        self.num_classes = int(num_classes)
        norm = (lambda ch: ConditionalBatchNorm2d(ch, self.num_classes)) if self.num_classes else nn.BatchNorm2d
        channels, _, base, k = image_plan(shape)
        self.z_dim = int(z_dim)
        self.shape = (channels, base * 2**k, base * 2**k)
        self.base = base
        self.start_channels = width * 2 ** (k - 1)
        # Bias-free where a BatchNorm follows: its shift makes the bias redundant.
        self.project = nn.Linear(self.z_dim, self.start_channels * base * base, bias=False)
        layers: list[nn.Module] = [norm(self.start_channels), nn.ReLU()]
        ch = self.start_channels
        for _ in range(k - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),
                norm(ch // 2),
                nn.ReLU(),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), output_activation(g_out)]
        self.body = nn.Sequential(*layers)
        self.apply(dcgan_init)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Map noise (B, z_dim) (and class labels (B,) when conditional) to images (B, C, H, W)."""
        h = self.project(z)  # (B, C0 * base * base)
        h = h.view(z.shape[0], self.start_channels, self.base, self.base)  # (B, C0, base, base)
        if not self.num_classes:
            return self.body(h)  # (B, C, H, W)
        for layer in self.body:
            h = layer(h, y) if isinstance(layer, ConditionalBatchNorm2d) else layer(h)
        return h  # (B, C, H, W)


class DCGANDiscriminator(nn.Module):
    """image -> k Conv2d(4, 2, 1) steps doubling channels from width -> flatten -> Linear -> (B,)."""

    def __init__(
        self,
        shape: tuple[int, ...],
        width: int = 64,
        d_norm: str = "batch",
        use_spectral_norm: bool = False,
    ):
        super().__init__()
        channels, size, base, k = image_plan(shape)
        self.shape = (channels, size, size)
        d_norm_layer(d_norm, 1)  # validate the name even when k == 1 never uses it
        layers: list[nn.Module] = []
        in_ch, out_ch = channels, width
        for step in range(k):
            # No norm on the first conv (DCGAN paper): it would normalise raw pixels.
            norm = "none" if step == 0 else d_norm
            conv = nn.Conv2d(in_ch, out_ch, 4, 2, 1, bias=norm == "none")
            conv.apply(dcgan_init)
            layers += [
                maybe_spectral_norm(conv, use_spectral_norm),
                d_norm_layer(norm, out_ch),
                nn.LeakyReLU(0.2),
            ]
            in_ch, out_ch = out_ch, out_ch * 2
        layers.append(nn.Flatten())
        self.features = nn.Sequential(*layers)
        self.features.apply(_init_norms)
        head = nn.Linear(in_ch * base * base, 1)
        dcgan_init(head)
        # Init runs before spectral_norm wraps the weight, so the N(0, 0.02)
        # draw is what the parametrisation stores as `original`.
        self.head = maybe_spectral_norm(head, use_spectral_norm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map images (B, C, H, W) to raw logits / critic values (B,)."""
        h = self.features(x)  # (B, F)
        return self.head(h).squeeze(1)  # (B,)


def _init_norms(module: nn.Module) -> None:
    """Apply the DCGAN init to norm layers only (convs were initialised before wrapping)."""
    if isinstance(module, (nn.BatchNorm2d, nn.GroupNorm)):
        dcgan_init(module)


def generator_width(cfg) -> int:
    """G's width: model.g_width, or model.width when it is 0."""
    return cfg.g_width or cfg.width


def build_dcgan_generator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The DCGAN generator for images of shape (C, H, W), H == W."""
    return DCGANGenerator(cfg.z_dim, shape, generator_width(cfg), cfg.g_out)


def build_dcgan_discriminator(cfg, shape: tuple[int, ...]) -> nn.Module:
    """The DCGAN discriminator for images of shape (C, H, W), H == W (model.d_width, or model.width when 0)."""
    return DCGANDiscriminator(shape, cfg.d_width or cfg.width, cfg.d_norm, cfg.spectral_norm)
