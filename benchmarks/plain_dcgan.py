"""The reference gankit is measured against: a plain, hand-written DCGAN loop for 28x28 images.

What a careful user writes without a toolkit: the uint8 images held in memory
on the training device, batches by random indexing, DCGAN networks (the same
shapes as gankit's `dcgan` at 28x28), Adam 2e-4 / 0.5, the non-saturating
loss, one D and one G update per step (G's update reuses the D step's fakes,
as the PyTorch DCGAN example does), no logging, no EMA, nothing else.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _init(m: nn.Module) -> None:
    if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


class Generator(nn.Module):
    """z -> 7x7 -> 14x14 -> 28x28, BatchNorm and ReLU, tanh output."""

    def __init__(self, z_dim: int, width: int):
        super().__init__()
        self.c0 = 2 * width
        self.project = nn.Linear(z_dim, self.c0 * 49, bias=False)
        self.body = nn.Sequential(
            nn.BatchNorm2d(self.c0), nn.ReLU(),
            nn.ConvTranspose2d(self.c0, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1), nn.Tanh())
        self.apply(_init)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.body(self.project(z).view(-1, self.c0, 7, 7))  # (B, 1, 28, 28)


class Discriminator(nn.Module):
    """28x28 -> 14x14 -> 7x7, LeakyReLU 0.2, BatchNorm after the second conv, one logit."""

    def __init__(self, width: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * width), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(2 * width * 49, 1))
        self.apply(_init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)  # (B,)


class PlainDCGAN:
    """The loop's whole state; `step()` is one D and one G update."""

    def __init__(self, images_u8: torch.Tensor, width: int = 32, z_dim: int = 64, batch: int = 64,
                 device: str | torch.device = "cpu", seed: int = 0):
        torch.manual_seed(seed)
        self.device = torch.device(device)
        self.images = images_u8.to(self.device)  # (N, 1, 28, 28) uint8
        self.z_dim, self.batch = z_dim, batch
        self.G, self.D = Generator(z_dim, width).to(self.device), Discriminator(width).to(self.device)
        fused = True if self.device.type == "cuda" else None
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=fused)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=fused)

    def step(self) -> None:
        """One D update on a random real batch and fresh fakes, then one G update on the same fakes."""
        idx = torch.randint(len(self.images), (self.batch,), device=self.device)
        real = self.images[idx].float() / 127.5 - 1  # (B, 1, 28, 28)
        fake = self.G(torch.randn(self.batch, self.z_dim, device=self.device))
        loss_D = F.softplus(-self.D(real)).mean() + F.softplus(self.D(fake.detach())).mean()
        self.opt_D.zero_grad(set_to_none=True)
        loss_D.backward()
        self.opt_D.step()
        loss_G = F.softplus(-self.D(fake)).mean()
        self.opt_G.zero_grad(set_to_none=True)
        loss_G.backward()
        self.opt_G.step()

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        """n samples on the CPU, G in eval mode (BatchNorm running statistics)."""
        self.G.eval()
        z = torch.randn(n, self.z_dim, generator=torch.Generator().manual_seed(seed))
        out = torch.cat([self.G(part.to(self.device)).cpu() for part in z.split(500)])
        self.G.train()
        return out
