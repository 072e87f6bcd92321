"""The step context: random streams, frozen networks, updates through schedules."""

import torch
from torch import nn

from gankit.config import OptimConfig
from gankit.train.distributed import World
from gankit.train.context import StepContext, stream_seed


def context(**kw):
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    return StepContext(7, torch.device("cpu"), "fp32", {"N": opt}, {"N": OptimConfig(name="sgd", lr=0.1)}, **kw), net


def test_streams_are_a_function_of_seed_and_name_the_same_in_every_process():
    assert stream_seed(7, "data") == 22 and stream_seed(7, "noise") == 23  # gankit 0.1's seeds
    assert len({stream_seed(7, s) for s in ("data", "noise", "pool", "rollout")}) == 4
    a, _ = context()
    b, _ = context(world=World(rank=1, size=2))
    assert torch.equal(torch.rand(3, generator=a.rng("pool")), torch.rand(3, generator=b.rng("pool")))


def test_each_process_keeps_its_share_of_a_global_draw():
    one, _ = context()
    whole = one.draw("noise", lambda m, g: torch.randn(m, 3, generator=g), 8)
    shares = [context(world=World(rank=r, size=2))[0].draw("noise", lambda m, g: torch.randn(m, 3, generator=g), 4)
              for r in (0, 1)]
    assert torch.equal(torch.cat(shares), whole)
    # along another dimension: (k, B, ...) draws keep columns
    whole = one.draw("rollout", lambda m, g: torch.rand(2, m, generator=g), 6, dim=1)
    shares = [context(world=World(rank=r, size=3))[0].draw("rollout", lambda m, g: torch.rand(2, m, generator=g),
                                                            2, dim=1) for r in (0, 1, 2)]
    assert torch.equal(torch.cat(shares, dim=1), whole)
    assert context(world=World(rank=1, size=4))[0].share(64) == 16


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
