"""Latent noise and sampling in eval mode, shared by every family."""

import torch
from torch import nn

from gankit.objectives.sampling import generate, sample_z


def test_noise_is_normal_or_uniform_on_the_generators_device():
    u = sample_z(5000, 3, "uniform", torch.Generator().manual_seed(0))
    assert u.shape == (5000, 3) and u.min() >= -1 and u.max() <= 1 and abs(u.mean()) < 0.05
    n = sample_z(5000, 3, "normal", torch.Generator().manual_seed(0))
    assert abs(n.std() - 1) < 0.05 and n.min() < -1


def test_generate_runs_in_eval_mode_in_chunks_and_restores_the_mode():
    G = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    G.train()
    z = torch.randn(10, 2)
    whole, chunked = generate(G, z, chunk=10), generate(G, z, chunk=3)
    assert G.training and torch.allclose(whole, chunked) and torch.equal(whole, generate(G, z))  # no dropout


def test_generate_passes_labels_chunk_by_chunk():
    class Labelled(nn.Module):
        def forward(self, z, y):
            return z + y[:, None]
    z, y = torch.zeros(5, 1), torch.arange(5.0)
    assert generate(Labelled(), z, chunk=2, y=y).view(-1).tolist() == [0, 1, 2, 3, 4]
