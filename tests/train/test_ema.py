"""EMA copies: the foreach average, and BatchNorm statistics recomputed from the copy's own weights."""

import copy

import torch
from torch import nn

from gankit.objectives.sampling import generate
from gankit.train.ema import make_ema, recompute_batch_norm, update_ema
from gankit.train.session import settle_sampler, start_session
from gankit.data import load_dataset
from tests.conftest import tiny_gan_config


def small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 4), nn.BatchNorm1d(4))


def test_update_ema_averages_weights_and_copies_statistics():
    net = small_net()
    ema = make_ema(net)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(1.0)
        net[1].running_mean.fill_(3.0)
    before = [p.clone() for p in ema.parameters()]
    update_ema(ema, net, 0.75)
    for p_ema, p0, p in zip(ema.parameters(), before, net.parameters()):
        torch.testing.assert_close(p_ema, 0.75 * p0 + 0.25 * p)
    assert torch.equal(ema[1].running_mean, net[1].running_mean)


def test_recomputed_statistics_are_the_mean_over_the_batches_pushed_through():
    net = small_net()
    net[1].running_mean.fill_(9.0)  # stale statistics that must go
    z = torch.randn(600, 3, generator=torch.Generator().manual_seed(1))
    assert recompute_batch_norm(net, lambda: generate(net, z, chunk=200))  # generate puts net in eval mode
    h = net[0](z).detach()
    means = torch.stack([c.mean(0) for c in h.split(200)]).mean(0)
    variances = torch.stack([c.var(0) for c in h.split(200)]).mean(0)  # unbiased per batch, as BatchNorm keeps
    torch.testing.assert_close(net[1].running_mean, means)
    torch.testing.assert_close(net[1].running_var, variances)
    assert net[1].momentum == 0.1 and not net[1].training and not net[4].training
    assert int(net[1].num_batches_tracked) == 3


def test_weights_are_untouched_and_a_net_without_batch_norm_is_left_alone():
    net = small_net()
    weights = copy.deepcopy(net.state_dict())
    recompute_batch_norm(net, lambda: net(torch.randn(50, 3)))
    for key, value in weights.items():
        if "running" not in key and "num_batches" not in key:
            assert torch.equal(net.state_dict()[key], value), key
    plain = nn.Sequential(nn.Linear(3, 2))
    state = copy.deepcopy(plain.state_dict())
    assert not recompute_batch_norm(plain, lambda: plain(torch.randn(4, 3)))
    assert all(torch.equal(plain.state_dict()[k], v) for k, v in state.items())


def test_settle_sampler_recomputes_the_ema_copy_only_and_repeats_exactly():
    cfg = tiny_gan_config()
    data = load_dataset(cfg.data)
    s = start_session(cfg, data)
    for net in s.parts.nets.values():
        for m in net.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.fill_(5.0)
    settle_sampler(s)
    ema_norms = [m for m in s.parts.nets["G_ema"].modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert ema_norms and all(not torch.all(m.running_mean == 5.0) for m in ema_norms)
    live = [m for m in s.parts.nets["G"].modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    assert all(torch.all(m.running_mean == 5.0) for m in live)  # training's own statistics are untouched
    first = [m.running_var.clone() for m in ema_norms]
    settle_sampler(s)
    assert all(torch.equal(a, m.running_var) for a, m in zip(first, ema_norms))
