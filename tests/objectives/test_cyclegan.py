"""CycleGAN's image pool and step."""

import torch

from gankit.objectives.cyclegan import query_pool


def images(n, start):
    return torch.arange(start, start + n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 1, 2, 2).clone()


def test_the_pool_fills_with_the_new_images_and_returns_them():
    pool, count = torch.zeros(6, 1, 2, 2), torch.zeros((), dtype=torch.int64)
    gen = torch.Generator().manual_seed(0)
    out = query_pool(pool, count, images(4, 1), gen)
    assert torch.equal(out, images(4, 1)) and int(count) == 4
    assert torch.equal(pool[:4], images(4, 1)) and not pool[4:].any()
    out = query_pool(pool, count, images(4, 5), gen)  # crosses the size: the last two wrap to the oldest slots
    assert torch.equal(out, images(4, 5)) and int(count) == 6
    assert sorted(pool[:, 0, 0, 0].tolist()) == [3, 4, 5, 6, 7, 8]


def test_a_full_pool_swaps_about_half_and_keeps_every_image_once():
    pool, count = images(50, 0), torch.tensor(50)
    gen = torch.Generator().manual_seed(1)
    swapped = 0
    for step in range(40):
        new = images(10, 1000 + 10 * step)
        out = query_pool(pool, count, new, gen)
        from_pool = (out[:, 0, 0, 0] < 1000 + 10 * step).sum().item()
        swapped += from_pool
        values = pool[:, 0, 0, 0].tolist() + out[:, 0, 0, 0].tolist()
        # nothing lost or duplicated: what went out plus what stayed is what was there plus what came in
        assert len(set(values)) == 60
    assert 0.4 < swapped / 400 < 0.6


def test_the_pool_is_deterministic_given_its_generator():
    runs = []
    for _ in range(2):
        pool, count, gen = images(8, 0), torch.tensor(8), torch.Generator().manual_seed(3)
        outs = [query_pool(pool, count, images(4, 100 + 4 * i), gen) for i in range(5)]
        runs.append((pool, torch.cat(outs)))
    assert torch.equal(runs[0][0], runs[1][0]) and torch.equal(runs[0][1], runs[1][1])


def test_no_pool_passes_images_through():
    x = images(3, 0)
    assert torch.equal(query_pool(torch.zeros(0, 1, 2, 2), torch.tensor(0), x, torch.Generator()), x)


def test_without_a_pool_d_trains_on_the_new_fakes_cut_from_gs_graph(tmp_path):
    # cyclegan.pool_size=0 once handed D the fakes still attached to G's graph, freed by G's update: a crash
    from gankit import api
    from tests.conftest import tiny_cyclegan_config

    cfg = tiny_cyclegan_config(steps=2)
    cfg.options.pool_size = 0
    fake = torch.ones(2, 1, 2, 2, requires_grad=True) * 2
    assert not query_pool(torch.zeros(0, 1, 2, 2), torch.zeros((), dtype=torch.int64), fake, None).requires_grad
    assert (api.train(cfg, out=tmp_path) / "checkpoints").is_dir()
