"""Tokens per second of the text families' steps beside a plain hand-written PyTorch loop, side by side.

Two races on SeqGAN's oracle, each in interleaved rounds (gankit, then the plain loop, then the other order),
the speed ratio the median of each round's own ratio:
  - the MLE step: gankit's `advance` of mle_oracle (Adam, clipping, statistics as tensors) against a loop of
    the same LSTM written out (embedding, nn.LSTM, projection, cross-entropy, Adam, clip_grad_norm_);
  - the SeqGAN rollout step: gankit's adversarial iteration (rollouts of the delayed G, D's rewards, the
    REINFORCE update) against the same written out with torch.multinomial sampling.
Tokens count the sequences' tokens the step trains on (batch x length). No thresholds: the ratios are what
to read (the issue's target: gankit at least 0.9x).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gankit.config import load_config
from gankit.data import load_dataset
from gankit.train.session import advance, start_session

ROOT = Path(__file__).resolve().parent.parent


class PlainLSTM(nn.Module):
    """The LSTM language model as one would write it by hand."""

    def __init__(self, vocab: int, embed: int, hidden: int):
        super().__init__()
        self.vocab = vocab
        self.embed, self.lstm, self.head = nn.Embedding(vocab + 1, embed), nn.LSTM(embed, hidden, batch_first=True), \
            nn.Linear(hidden, vocab)

    def forward(self, x):
        start = torch.full_like(x[:, :1], self.vocab)
        out, _ = self.lstm(self.embed(torch.cat([start, x[:, :-1]], 1)))
        return self.head(out)

    @torch.no_grad()
    def sample(self, n: int, length: int, prefix=None):
        x, state, out = torch.full((n, 1), self.vocab), None, []
        if prefix is not None:
            _, state = self.lstm(self.embed(torch.cat([x, prefix[:, :-1]], 1)))
            x, out = prefix[:, -1:], [prefix]
        for _ in range(length - (0 if prefix is None else prefix.shape[1])):
            h, state = self.lstm(self.embed(x), state)
            x = torch.multinomial(F.softmax(self.head(h[:, -1]), -1), 1)
            out.append(x)
        return torch.cat(out, 1)


def plain_mle(cfg, data):
    """A closure: one hand-written MLE step on a random batch."""
    m = cfg.model
    G = PlainLSTM(len(data.vocab), m.embed_dim, m.hidden_dim)
    opt = torch.optim.Adam(G.parameters(), lr=cfg.g_optim.lr, betas=tuple(cfg.g_optim.betas))

    def step():
        x = data.tokens[torch.randint(len(data), (cfg.train.batch_size,))]
        loss = F.cross_entropy(G(x).flatten(0, 1), x.flatten())
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(G.parameters(), 5.0)
        opt.step()
    return step


def plain_rollout(cfg, data, D):
    """A closure: one hand-written SeqGAN G step (rollouts, rewards, REINFORCE) with the given D."""
    m, o = cfg.model, cfg.options
    G = PlainLSTM(len(data.vocab), m.embed_dim, m.hidden_dim)
    slow = PlainLSTM(len(data.vocab), m.embed_dim, m.hidden_dim)
    opt = torch.optim.Adam(G.parameters(), lr=cfg.g_optim.lr)
    B, L = cfg.train.batch_size, data.shape[0]

    def step():
        x = G.sample(B, L)
        reward = torch.empty(B, L)
        with torch.no_grad():
            for i in range(1, L):
                done = slow.sample(B * o.rollouts, L, prefix=x[:, :i].repeat(o.rollouts, 1))
                reward[:, i - 1] = torch.sigmoid(D(done)).view(o.rollouts, B).mean(0)
            reward[:, -1] = torch.sigmoid(D(x))
        logp = F.log_softmax(G(x), -1).gather(2, x[..., None])[..., 0]
        loss = -(logp * reward).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(G.parameters(), 5.0)
        opt.step()
    return step


def race(gankit_step, plain_step, rounds: int, steps: int, tokens: int) -> dict:
    """Interleaved rounds; each round times both contenders for `steps` steps, alternating who goes first."""
    gankit_step(), plain_step()  # warm-up
    ratios, ours, theirs = [], [], []
    for r in range(rounds):
        order = [("gankit", gankit_step), ("plain", plain_step)]
        times = {}
        for name, fn in (order if r % 2 == 0 else order[::-1]):
            start = time.perf_counter()
            for _ in range(steps):
                fn()
            times[name] = time.perf_counter() - start
        ours.append(steps * tokens / times["gankit"])
        theirs.append(steps * tokens / times["plain"])
        ratios.append(times["plain"] / times["gankit"])
    return {"gankit_tokens_per_s": statistics.median(ours), "plain_tokens_per_s": statistics.median(theirs),
            "ratio": statistics.median(ratios), "rounds": rounds, "steps_per_round": steps}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--mle-steps", type=int, default=40)
    p.add_argument("--rollout-steps", type=int, default=1)
    p.add_argument("--rollouts", type=int, default=16)
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args(argv)
    report = {}

    cfg = load_config("mle_oracle", ["train.progress=false"])
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    tokens = cfg.train.batch_size * data.shape[0]
    report["mle"] = race(lambda: advance(s, data), plain_mle(cfg, data), args.rounds, args.mle_steps, tokens)

    cfg = load_config("seqgan_oracle", ["seqgan.mle_steps=0", "seqgan.d_pretrain_steps=0", "seqgan.adv_d_steps=0",
                                        f"seqgan.rollouts={args.rollouts}", "train.progress=false"])
    s = start_session(cfg, data, "cpu")
    D = s.nets["D"]
    rollout_tokens = cfg.train.batch_size * data.shape[0] * (args.rollouts + 1)
    report["seqgan_rollout"] = race(lambda: advance(s, data), plain_rollout(cfg, data, D), args.rounds,
                                    args.rollout_steps, rollout_tokens)
    report["threads"] = torch.get_num_threads()
    for name, r in report.items():
        if isinstance(r, dict):
            print(f"{name:16s} gankit {r['gankit_tokens_per_s']:10.0f} tokens/s   plain {r['plain_tokens_per_s']:10.0f}"
                  f" tokens/s   ratio {r['ratio']:.2f}x (median of {r['rounds']} rounds)")
    out = args.out or ROOT / "benchmarks" / "results" / f"text-speed-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
