"""Regularizers of the discriminator, kept apart from the losses.

Under fp16 mixed precision the gradients that a penalty differentiates must be
taken of the loss-scaled output and unscaled before use (the PyTorch AMP notes'
gradient-penalty recipe): `scale` is the gradient scaler's `scale` function
then, and None otherwise.
"""

from typing import Callable

import torch
from torch import nn

Scale = Callable[[torch.Tensor], torch.Tensor] | None


def _input_gradient(out: torch.Tensor, x: torch.Tensor, scale: Scale) -> torch.Tensor:
    """d out.sum() / dx with a graph for the penalty's own backward, through the loss scale when given."""
    total = out.sum()
    if scale is None:
        (grad,) = torch.autograd.grad(total, x, create_graph=True)
        return grad
    (grad,) = torch.autograd.grad(scale(total), x, create_graph=True)
    return grad / scale(torch.ones((), device=grad.device))  # an inf here makes the scaler skip the step


def penalty_points(n: int, real: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """n uniform weights (n, 1, ...) in [0, 1) that place the gradient penalty's points between real and fake."""
    return torch.rand((n,) + (1,) * (real.dim() - 1), generator=generator, dtype=real.dtype, device=real.device)


def gradient_penalty(D: nn.Module, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor | None = None,
                     scale: Scale = None) -> torch.Tensor:
    """E[(||grad D(x_hat)||_2 - 1)^2] on points eps * real + (1 - eps) * fake between real and fake (Gulrajani
    et al. 2017); eps (B, 1, ...) from penalty_points, drawn here when not given."""
    eps = penalty_points(len(real), real) if eps is None else eps
    x_hat = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_(True)
    grad = _input_gradient(D(x_hat), x_hat, scale)
    return (grad.float().flatten(1).norm(dim=1) - 1).pow(2).mean()


def r1_penalty(d_real: torch.Tensor, real: torch.Tensor, scale: Scale = None) -> torch.Tensor:
    """E[||grad D(x)||^2] on real data (Mescheder et al. 2018); `real` must require grad."""
    grad = _input_gradient(d_real, real, scale)
    return grad.float().flatten(1).pow(2).sum(dim=1).mean()


@torch.no_grad()
def clip_weights_(D: nn.Module, clip: float) -> None:
    """Clamp every parameter of D to [-clip, clip] in place (WGAN's Lipschitz constraint)."""
    params = list(D.parameters())
    torch._foreach_clamp_min_(params, -clip)
    torch._foreach_clamp_max_(params, clip)
