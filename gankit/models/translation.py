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

from gankit.models.patchgan import PatchDiscriminator, max_patch_layers, patch_output_size, receptive_field
from gankit.models.resnet_gen import ResNetGenerator
from gankit.models.stargan import StarGANDiscriminator, StarGANGenerator, stargan_d_layers
from gankit.models.unet import UNetGenerator, unet_depth

__all__ = ["PatchDiscriminator", "ResNetGenerator", "StarGANDiscriminator", "StarGANGenerator", "UNetGenerator",
           "max_patch_layers", "patch_output_size", "receptive_field", "stargan_d_layers", "unet_depth"]
