"""Inception Score: exp of the mean KL between p(y|x) and p(y) (Salimans et al. 2016)."""

from __future__ import annotations

import torch

from gankit.errors import GankitError


def inception_score(probs, splits: int = 10) -> tuple[float, float]:
    """Mean and std over `splits` of exp(E_x KL(p(y|x) || p(y))), probs (N, C)."""
    p = torch.as_tensor(probs).double()
    if p.dim() != 2:
        raise GankitError(f"inception_score needs class probabilities of shape (N, C), got {tuple(p.shape)}.")
    # Logits passed by mistake are the usual error; they would give a meaningless number silently.
    if (p < 0).any() or not torch.allclose(p.sum(dim=1), torch.ones(len(p), dtype=p.dtype, device=p.device), atol=1e-3):
        raise GankitError("inception_score needs probabilities (non-negative rows summing to 1); apply softmax to the logits first.")
    if not 1 <= splits <= len(p):
        raise GankitError(f"inception_score needs 1 <= splits <= N = {len(p)}, got {splits}.")
    n = len(p)
    scores = []
    for k in range(splits):
        # The split boundaries of the reference code, so scores match it for any N.
        part = p[k * n // splits:(k + 1) * n // splits]
        marginal = part.mean(dim=0, keepdim=True)
        # xlogy makes 0 log 0 = 0: confident one-hot rows are the ideal case, not a NaN.
        kl = (torch.xlogy(part, part) - torch.xlogy(part, marginal)).sum(dim=1)
        scores.append(kl.mean().exp())
    scores = torch.stack(scores)
    # Population std (ddof=0), as numpy.std in the reference implementation.
    return scores.mean().item(), scores.std(correction=0).item()
