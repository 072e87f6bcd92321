"""Regularizers of the discriminator, kept apart from the losses."""

import torch
from torch import nn


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """E[(||grad D(x_hat)||_2 - 1)^2] on random points between real and fake (Gulrajani et al. 2017)."""
    eps_shape = (real.shape[0],) + (1,) * (real.dim() - 1)
    eps = torch.rand(eps_shape, generator=generator, dtype=real.dtype)  # (B, 1, ...)
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    (grad,) = torch.autograd.grad(D(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(d_real: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """E[||grad D(x)||^2] on real data (Mescheder et al. 2018); `real` must require grad."""
    (grad,) = torch.autograd.grad(d_real.sum(), real, create_graph=True)
    return grad.flatten(1).pow(2).sum(dim=1).mean()


@torch.no_grad()
def clip_weights_(D: nn.Module, clip: float) -> None:
    """Clamp every parameter of D to [-clip, clip] in place (WGAN's Lipschitz constraint)."""
    for p in D.parameters():
        p.clamp_(-clip, clip)
