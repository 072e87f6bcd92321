"""Adversarial losses as pure functions of discriminator outputs.

Every D loss has the signature `(d_real, d_fake) -> scalar` and every G loss
`(d_fake) -> scalar`, where d_real and d_fake are D's raw outputs (logits for
the probabilistic losses, critic values for the Wasserstein ones). Sigmoids
are folded into softplus for numerical stability:
-log sigmoid(t) = softplus(-t) and -log(1 - sigmoid(t)) = softplus(t).
"""

import torch
import torch.nn.functional as F


def bce_d_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))]: D ascends the value of the game."""
    return F.softplus(-d_real).mean() + F.softplus(d_fake).mean()


def minimax_g_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """E[log(1 - D(G(z)))]: the saturating loss of the original minimax game."""
    return -F.softplus(d_fake).mean()


def nonsaturating_g_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """-E[log D(G(z))]: the heuristic of Goodfellow et al. 2014, strong gradients early on."""
    return F.softplus(-d_fake).mean()


def wasserstein_d_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """E[f(G(z))] - E[f(x)]: the critic's negated Wasserstein-1 estimate (Arjovsky et al. 2017)."""
    return d_fake.mean() - d_real.mean()


def wasserstein_g_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """-E[f(G(z))]: also the G loss of the hinge GAN."""
    return -d_fake.mean()


def hinge_d_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] (Lim and Ye 2017; Miyato et al. 2018)."""
    return F.relu(1 - d_real).mean() + F.relu(1 + d_fake).mean()


def lsgan_d_loss(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] (Mao et al. 2017, a=0, b=c=1)."""
    return 0.5 * (d_real - 1).pow(2).mean() + 0.5 * d_fake.pow(2).mean()


def lsgan_g_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """1/2 E[(D(G(z)) - 1)^2]."""
    return 0.5 * (d_fake - 1).pow(2).mean()
