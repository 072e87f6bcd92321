"""The image-to-image translation networks, gathered: pix2pix, CycleGAN and StarGAN.

Each lives in its own module; import them from here or from there.

- UNetGenerator (unet.py): pix2pix's G.
- ResNetGenerator (resnet_gen.py): CycleGAN's G.
- PatchDiscriminator (patchgan.py): pix2pix's and CycleGAN's D.
- StarGANGenerator, StarGANDiscriminator (stargan.py): StarGAN's G(x, c) and D(x) -> (source, classes).

pix2pix, CycleGAN and PatchGAN weights start at N(0, 0.02) (the reference
code's init_type normal, gankit's dcgan_init); StarGAN keeps PyTorch's default.
"""

from __future__ import annotations

from torch import nn

from gankit.errors import GankitError
from gankit.models.patchgan import PatchDiscriminator, max_patch_layers, patch_output_size, receptive_field
from gankit.models.resnet_gen import ResNetGenerator
from gankit.models.stargan import StarGANDiscriminator, StarGANGenerator, stargan_d_layers
from gankit.models.unet import UNetGenerator, unet_depth

__all__ = ["TRANSLATION_DISCRIMINATORS", "TRANSLATION_GENERATORS", "build_translation_models",
           "PatchDiscriminator", "ResNetGenerator", "StarGANDiscriminator", "StarGANGenerator", "UNetGenerator",
           "max_patch_layers", "patch_output_size", "receptive_field", "stargan_d_layers", "unet_depth"]


# Builders: (model config, image shape (C, H, W), number of domains) -> G; D also takes its input channels and norm.
TRANSLATION_GENERATORS = {
    "unet": lambda m, shape, k: UNetGenerator(shape[0], shape[0], shape[1], width=m.width, dropout=m.g_dropout),
    "resnet": lambda m, shape, k: ResNetGenerator(shape[0], shape[0], width=m.width, n_blocks=m.g_blocks),
    "stargan": lambda m, shape, k: StarGANGenerator(shape[0], k, width=m.width, n_blocks=m.g_blocks),
}
TRANSLATION_DISCRIMINATORS = {
    "patchgan": lambda m, shape, k, c_in, norm: PatchDiscriminator(c_in, width=m.width, n_layers=m.d_layers,
                                                                   norm=norm),
    "stargan": lambda m, shape, k, c_in, norm: StarGANDiscriminator(shape[0], shape[1], k, width=m.width),
}
# The generators whose depth model.g_blocks sets (the config refuses it for the others).
BLOCK_GENERATORS = ("resnet", "stargan", "srresnet")
# model.name as the shorthand for both networks of each paper.
SHORTHANDS = {"pix2pix": ("unet", "patchgan"), "cyclegan": ("resnet", "patchgan"), "stargan": ("stargan", "stargan"),
              "srgan": ("srresnet", "dcgan")}


def network_names(m) -> tuple[str, str]:
    """(generator, discriminator) builder names: model.generator / model.discriminator, else model.name with
    the image-to-image shorthands resolved."""
    g, d = SHORTHANDS.get(m.name, (m.name, m.name))
    return m.generator or g, m.discriminator or d


def build_translation_models(m, shape: tuple[int, ...], *, d_in_channels: int, d_norm: str,
                             num_domains: int = 0) -> tuple[nn.Module, nn.Module]:
    """(G, D) of an image-to-image family for images of `shape`; G is built first (it draws its weights first)."""
    g_name, d_name = network_names(m)
    for kind, name, table in (("generator", g_name, TRANSLATION_GENERATORS),
                              ("discriminator", d_name, TRANSLATION_DISCRIMINATORS)):
        if name not in table:
            raise GankitError(f"unknown image-to-image {kind} {name!r}; use model.name "
                              f"{' | '.join(SHORTHANDS)} or model.{kind} {' | '.join(table)}.")
    if d_name == "patchgan" and m.d_layers > max_patch_layers(shape[-1]):
        raise GankitError(f"model.d_layers={m.d_layers} leaves a PatchGAN less than 2x2 patches on "
                          f"{shape[-1]} px images; use model.d_layers <= {max_patch_layers(shape[-1])}.")
    G = TRANSLATION_GENERATORS[g_name](m, shape, num_domains)
    return G, TRANSLATION_DISCRIMINATORS[d_name](m, shape, num_domains, d_in_channels, d_norm)
