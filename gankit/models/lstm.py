"""The LSTM language model of the text families (and of SeqGAN's oracle): embedding, one LSTM, projection.

G(tokens) gives next-token logits under teacher forcing; `sample` draws whole sequences (or completes given
prefixes: SeqGAN's Monte-Carlo rollouts) with a temperature, from a torch.Generator, so every draw is a
function of the generator's state. A learned start token (index = vocabulary size) begins every sequence.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class LSTMGenerator(nn.Module):
    """A token sequence model p(x_t | x_<t) of a fixed length."""

    def __init__(self, vocab: int, length: int, embed_dim: int = 32, hidden_dim: int = 32,
                 init_std: float | None = 0.1):
        super().__init__()
        self.vocab, self.length = int(vocab), int(length)
        self.embed = nn.Embedding(self.vocab + 1, embed_dim)  # + the start token
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.head = nn.Linear(hidden_dim, self.vocab)
        if init_std is not None:  # SeqGAN's generator: every parameter N(0, 0.1)
            for p in self.parameters():
                nn.init.normal_(p, 0.0, init_std)

    def _inputs(self, tokens: torch.Tensor) -> torch.Tensor:
        start = torch.full_like(tokens[:, :1], self.vocab)
        return torch.cat([start, tokens[:, :-1]], dim=1)  # (B, L): the start token, then x_1..x_{L-1}

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits (B, L, V) of each position given the ones before it (teacher forcing)."""
        out, _ = self.lstm(self.embed(self._inputs(tokens)))
        return self.head(out)

    def soft_forward(self, first: torch.Tensor, relaxed: torch.Tensor) -> torch.Tensor:
        """Logits (B, L, V) of a sequence fed back as relaxed one-hot vectors (B, L-1, V) after the start token."""
        start = self.embed(torch.full((relaxed.shape[0], 1), self.vocab, device=relaxed.device))
        fed = relaxed @ self.embed.weight[: self.vocab]  # (B, L-1, E): the expected embedding
        out, _ = self.lstm(torch.cat([start, fed], dim=1))
        return self.head(out)

    def log_prob(self, tokens: torch.Tensor) -> torch.Tensor:
        """log p(x_t | x_<t) of each given token, (B, L), in float32."""
        logits = self.forward(tokens).float()
        return torch.gather(F.log_softmax(logits, dim=-1), 2, tokens.unsqueeze(-1)).squeeze(-1)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, temperature: float = 1.0,
               prefix: torch.Tensor | None = None, uniforms: torch.Tensor | None = None) -> torch.Tensor:
        """n sequences (n, L) drawn token by token from softmax(logits / temperature); with `prefix` (n, t),
        the sequences start with it and only the rest is drawn. The draws use one uniform number per token:
        from `generator`, or given as `uniforms` (n, L), which makes the samples a function of them."""
        device = next(self.parameters()).device
        t0 = 0 if prefix is None else prefix.shape[1]
        out = torch.empty((n, self.length), dtype=torch.int64, device=device)
        x = torch.full((n, 1), self.vocab, dtype=torch.int64, device=device)
        state = None
        if t0:
            out[:, :t0] = prefix
            _, state = self.lstm(self.embed(torch.cat([x, prefix[:, :-1]], dim=1)))
            x = prefix[:, -1:]
        for t in range(t0, self.length):
            h, state = self.lstm(self.embed(x), state)
            u = (uniforms[:, t:t + 1].to(device) if uniforms is not None
                 else torch.rand((n, 1), generator=generator, device=device))
            x = draw(F.softmax(self.head(h[:, -1]).float() / temperature, dim=-1), u)  # (n, 1)
            out[:, t] = x[:, 0]
        return out


    def uniforms(self, n: int, generator: torch.Generator | None = None, start: int = 0) -> torch.Tensor:
        """The uniform numbers (n, L) `sample` draws from `generator` when given none, drawn in the same order
        (one column per token from `start` on; the columns before it, a prefix's, are zero)."""
        device = next(self.parameters()).device
        return torch.cat([torch.zeros((n, start), device=device)] +
                         [torch.rand((n, 1), generator=generator, device=device) for _ in range(start, self.length)],
                         dim=1)

    def gumbel_uniforms(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """The uniform numbers (n, L, V) behind `gumbel_sample`'s Gumbel noise, in the order it would draw them."""
        device = next(self.parameters()).device
        return torch.stack([torch.rand((n, self.vocab), generator=generator, device=device)
                            for _ in range(self.length)], dim=1)

    def gumbel_sample(self, n: int, beta: float | torch.Tensor, uniforms: torch.Tensor | None = None,
                      generator: torch.Generator | None = None) -> tuple:
        """n sequences drawn with the Gumbel-max trick, and their relaxation (RelGAN): each token is
        argmax(logits + g), g = -log(-log u) Gumbel noise of `uniforms` (n, L, V) (drawn from `generator` when
        not given), fed back as the next input; its relaxed one-hot softmax(beta * (logits + g)) (n, L, V)
        carries the gradient to G. Returns (tokens (n, L), relaxed)."""
        uniforms = self.gumbel_uniforms(n, generator) if uniforms is None else uniforms
        device = next(self.parameters()).device
        x = torch.full((n, 1), self.vocab, dtype=torch.int64, device=device)
        state, tokens, relaxed = None, [], []
        for i in range(self.length):
            h, state = self.lstm(self.embed(x), state)
            logits = self.head(h[:, -1]).float()  # (n, V)
            u = uniforms[:, i]
            gumbel = -torch.log((-torch.log(u.clamp(1e-20, 1.0))).clamp_min(1e-20))  # -log(-log u)
            noisy = logits + gumbel
            x = noisy.argmax(dim=-1, keepdim=True)  # (n, 1): an exact sample of softmax(logits)
            tokens.append(x)
            relaxed.append(F.softmax(beta * noisy, dim=-1))
        return torch.cat(tokens, dim=1), torch.stack(relaxed, dim=1)


def draw(probs: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """One index (n, 1) per row of probabilities (n, V), by the inverse CDF at the uniform numbers u (n, 1)
    (many times faster than torch.multinomial on the CPU)."""
    cdf = probs.cumsum(dim=1)
    return torch.searchsorted(cdf, u.float() * cdf[:, -1:]).clamp_(max=probs.shape[1] - 1)


def build_lstm_generator(cfg, vocab: int, length: int) -> LSTMGenerator:
    """G for the model config: model.embed_dim, model.hidden_dim; SeqGAN's N(0, 0.1) initialisation."""
    return LSTMGenerator(vocab, length, cfg.embed_dim, cfg.hidden_dim)
