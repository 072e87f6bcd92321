"""The relativistic average GAN's loss (Jolicoeur-Martineau 2019), as ESRGAN uses it.

D_Ra(a, b) = sigmoid(C(a) - E[C(b)]): how much more real a looks than the average of b. With `up` the
logits of the side that should look more real (real images in D's update, G's outputs in G's) and `down`
the other side's,

    L = 1/2 E[softplus(-(up - E[down]))] + 1/2 E[softplus(down - E[up])],

the binary cross-entropy of both relativistic terms. The averages E[.] are over the global batch: under
torchrun each process sees its share, so the means are gathered (without gradient), and the gradient that
flows through them is added as its exact first-order term (a scalar times this process's mean logit), so
that the gradients averaged over processes equal one process's on the whole batch.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def relativistic_average(up: torch.Tensor, down: torch.Tensor, t) -> torch.Tensor:
    """L above for logits up (B,) and down (B,) (fp32); its value is the loss, its gradient the full one,
    through the averages too. `t` is the step context (its `gather` spans the processes)."""
    mean_up, mean_down = t.gather(up.detach()).mean(), t.gather(down.detach()).mean()
    above, below = up - mean_down, down - mean_up     # (B,) each; the means carry no gradient here
    loss = 0.5 * (F.softplus(-above).mean() + F.softplus(below).mean())
    # d L / d E[down] = 1/2 E[sigmoid(-above)], d L / d E[up] = -1/2 E[sigmoid(below)], over the global batch.
    pull_down = t.gather(torch.sigmoid(-above.detach())).mean()
    pull_up = t.gather(torch.sigmoid(below.detach())).mean()
    through_means = 0.5 * (pull_down * down.mean() - pull_up * up.mean())
    return loss + through_means - through_means.detach()  # the loss's value, the means' gradient added
