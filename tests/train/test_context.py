"""The step context: random streams, frozen networks, updates through schedules."""

import torch
from torch import nn

from gankit.config import OptimConfig
from gankit.train.context import StepContext, stream_seed


def context(**kw):
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    return StepContext(7, torch.device("cpu"), "fp32", {"N": opt}, {"N": OptimConfig(name="sgd", lr=0.1)}, **kw), net


def test_streams_are_a_function_of_seed_rank_and_name():
    assert stream_seed(7, 0, "data") == 22 and stream_seed(7, 0, "noise") == 23  # gankit 0.1's seeds
    seeds = {stream_seed(7, r, s) for r in (0, 1) for s in ("data", "noise", "pool")}
    assert len(seeds) == 6
    a, _ = context()
    b, _ = context()
    assert torch.equal(torch.rand(3, generator=a.rng("pool")), torch.rand(3, generator=b.rng("pool")))
    c, _ = context(rank=1)
    assert not torch.equal(torch.rand(3, generator=a.rng("data")), torch.rand(3, generator=c.rng("data")))


def test_rng_states_round_trip_through_a_checkpoint():
    a, _ = context()
    torch.rand(5, generator=a.rng("noise"))
    tensors = {}
    meta = a.state(tensors)
    expected = torch.rand(4, generator=a.rng("noise"))
    b, _ = context()
    b.restore(tensors, meta)
    assert torch.equal(torch.rand(4, generator=b.rng("noise")), expected)


def test_frozen_restores_each_parameters_own_flag():
    t, net = context()
    net.bias.requires_grad_(False)
    with t.frozen(net):
        assert not any(p.requires_grad for p in net.parameters())
    assert net.weight.requires_grad and not net.bias.requires_grad


def test_update_steps_the_named_optimizer():
    t, net = context()
    before = net.weight.detach().clone()
    t.update("N", net(torch.ones(4, 2)).sum())
    assert torch.allclose(net.weight, before - 0.1 * 4)
