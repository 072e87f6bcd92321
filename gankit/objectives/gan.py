"""The unconditional GAN family: how one D step and one G step are computed.

The loop owns the optimizers; an objective turns a batch into a loss tensor
and a dict of statistics, and applies any constraint that follows a D update
(WGAN's weight clipping).
"""

from __future__ import annotations

import torch
from torch import nn

from gankit.config import LossConfig
from gankit.losses import LOSSES, clip_weights_, gradient_penalty, r1_penalty


def sample_z(n: int, z_dim: int, dist: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Latent noise (n, z_dim): standard normal, or uniform on [-1, 1]."""
    if dist == "uniform":
        return torch.rand(n, z_dim, generator=generator) * 2 - 1  # (n, z_dim)
    return torch.randn(n, z_dim, generator=generator)  # (n, z_dim)


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, chunk: int = 500) -> torch.Tensor:
    """G's samples on fixed noise, in eval mode (BatchNorm running statistics), chunked; G's mode is restored."""
    was = G.training
    G.eval()
    try:
        return torch.cat([G(part) for part in z.split(chunk)])
    finally:
        G.train(was)


class GANObjective:
    """Algorithm 1 of Goodfellow et al. 2014, with any loss and penalty from gankit.losses."""

    def __init__(self, G: nn.Module, D: nn.Module, cfg: LossConfig, z_dist: str,
                 noise: torch.Generator | None = None):
        self.G, self.D, self.cfg = G, D, cfg
        self.loss = LOSSES[cfg.name]
        self.z_dist, self.noise = z_dist, noise

    def z(self, n: int) -> torch.Tensor:
        """A batch of latent noise drawn from the objective's own generator."""
        return sample_z(n, self.G.z_dim, self.z_dist, self.noise)

    def _report(self, d_out: torch.Tensor) -> float:
        # D(x) as a probability for the logit losses, the raw critic value otherwise.
        d_out = d_out.detach()
        return (torch.sigmoid(d_out) if self.loss.probabilistic else d_out).mean().item()

    def d_loss(self, batch) -> tuple[torch.Tensor, dict]:
        """The discriminator's loss on one real batch and as many fakes, plus its penalty."""
        real, _ = batch
        with torch.no_grad():
            fake = self.G(self.z(real.shape[0]))  # (B, ...)
        if self.cfg.penalty == "r1":
            real = real.detach().requires_grad_(True)
        d_real, d_fake = self.D(real), self.D(fake)  # (B,), (B,)
        loss = self.loss.d(d_real, d_fake)
        stats = {"loss_D": loss.item(), "D_real": self._report(d_real), "D_fake": self._report(d_fake)}
        if self.cfg.penalty == "gp":
            penalty = self.cfg.gp_weight * gradient_penalty(self.D, real, fake, self.noise)
        elif self.cfg.penalty == "r1":
            penalty = self.cfg.r1_gamma / 2 * r1_penalty(d_real, real)
        else:
            return loss, stats
        stats["penalty"] = penalty.item()
        return loss + penalty, stats

    def after_d_step(self) -> None:
        """Constraints applied after each D update."""
        if self.cfg.penalty == "clip":
            clip_weights_(self.D, self.cfg.clip)

    def g_loss(self, batch) -> tuple[torch.Tensor, dict]:
        """The generator's loss on a fresh noise batch the size of `batch`."""
        n = batch[0].shape[0]
        self.D.requires_grad_(False)  # no D gradients are needed for G's update
        try:
            loss = self.loss.g(self.D(self.G(self.z(n))))
        finally:
            self.D.requires_grad_(True)
        return loss, {"loss_G": loss.item()}
