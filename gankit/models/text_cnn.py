"""SeqGAN's discriminator: a CNN over token embeddings (Kim 2014), as Yu et al. 2017 configure it.

Filters of several widths slide over the embedded sequence; each keeps its maximum over time; a highway
layer and dropout come before the one logit. It reads token ids (B, L), or one-hot / relaxed one-hot
vectors (B, L, V) for the Gumbel-softmax family, through the same embedding.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# SeqGAN's filter widths and counts (its discriminator for sequences of length 20).
SEQGAN_FILTERS = ((1, 100), (2, 200), (3, 200), (4, 200), (5, 200), (6, 100), (7, 100), (8, 100), (9, 100),
                  (10, 100), (15, 160), (20, 160))


class TextCNN(nn.Module):
    """D(x) -> one logit per sequence (B,)."""

    def __init__(self, vocab: int, length: int, embed_dim: int = 64, filters=SEQGAN_FILTERS,
                 dropout: float = 0.25, scale: float = 1.0):
        super().__init__()
        kept = [(w, max(1, round(n * scale))) for w, n in filters if w <= length]  # no filter longer than the text
        self.embed = nn.Embedding(vocab, embed_dim)
        self.convs = nn.ModuleList(nn.Conv1d(embed_dim, n, w) for w, n in kept)
        total = sum(n for _, n in kept)
        self.highway = nn.Linear(total, 2 * total)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(total, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (B,) of token ids (B, L) or (relaxed) one-hot vectors (B, L, V)."""
        e = self.embed(x) if x.dtype == torch.int64 else x @ self.embed.weight  # (B, L, E)
        e = e.transpose(1, 2)  # (B, E, L)
        h = torch.cat([F.relu(conv(e)).amax(dim=2) for conv in self.convs], dim=1)  # (B, total)
        transform, gate = self.highway(h).chunk(2, dim=1)
        gate = torch.sigmoid(gate)
        h = gate * F.relu(transform) + (1 - gate) * h
        return self.head(self.dropout(h)).squeeze(1)


def build_text_cnn(cfg, vocab: int, length: int) -> TextCNN:
    """D for the model config: model.d_embed_dim, model.dropout, model.d_width as a share of SeqGAN's filters (%)."""
    return TextCNN(vocab, length, cfg.d_embed_dim, dropout=cfg.dropout, scale=cfg.d_filters / 100)
