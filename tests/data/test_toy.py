"""Toy distributions: reproducible sampling, moments, modes and exact densities."""

from __future__ import annotations

import math

import pytest
import torch

from gankit.data import ToyDataset, load_dataset
from gankit.errors import GankitError


@pytest.mark.parametrize("name", ["gaussian1d", "ring8", "grid25"])
def test_sampling_is_reproducible_and_leaves_global_rng(make_cfg, name):
    ds = load_dataset(make_cfg(name=name))
    assert isinstance(ds, ToyDataset) and ds.kind == "toy"
    before = torch.get_rng_state()
    a, labels = ds.sample(64, torch.Generator().manual_seed(3))
    b, _ = ds.sample(64, torch.Generator().manual_seed(3))
    c, _ = ds.sample(64, torch.Generator().manual_seed(4))
    assert torch.equal(torch.get_rng_state(), before)
    assert a.dtype == torch.float32 and a.shape == (64, ds.shape[0])
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("name, classes", [("gaussian1d", 0), ("ring8", 8), ("grid25", 25)])
def test_each_mode_of_a_mixture_is_a_class_labelled_by_its_index(make_cfg, name, classes):
    ds = load_dataset(make_cfg(name=name))
    assert ds.num_classes == classes and len(ds.class_names) == classes
    x, labels = ds.sample(500, torch.Generator().manual_seed(0))
    if not classes:
        assert labels is None
        return
    assert labels.dtype == torch.int64 and set(labels.tolist()) == set(range(classes))
    nearest = torch.cdist(x, ds.modes).argmin(dim=1)  # modes are 2 apart, samples within a few 0.02 of theirs
    assert torch.equal(nearest, labels)


def test_shapes_and_modes(make_cfg):
    g = load_dataset(make_cfg(name="gaussian1d", mean=1.5, std=0.25))
    assert g.shape == (1,) and g.modes.tolist() == [[1.5]] and g.mode_std == 0.25
    ring = load_dataset(make_cfg(name="ring8", radius=3.0))
    assert ring.shape == (2,) and ring.modes.shape == (8, 2)
    assert torch.allclose(ring.modes.norm(dim=1), torch.full((8,), 3.0))
    grid = load_dataset(make_cfg(name="grid25"))
    assert grid.modes.shape == (25, 2)
    assert sorted(set(grid.modes[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]


def test_gaussian1d_moments(make_cfg):
    ds = load_dataset(make_cfg(name="gaussian1d", mean=4.0, std=0.5))
    x, _ = ds.sample(100_000, torch.Generator().manual_seed(0))
    assert abs(x.mean().item() - 4.0) < 0.01
    assert abs(x.std().item() - 0.5) < 0.01


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_samples_sit_near_their_modes(make_cfg, name):
    ds = load_dataset(make_cfg(name=name))
    x, _ = ds.sample(20_000, torch.Generator().manual_seed(1))
    nearest = torch.cdist(x, ds.modes).min(dim=1)
    assert nearest.values.max().item() < 10 * ds.mode_std
    counts = torch.bincount(nearest.indices, minlength=ds.modes.shape[0]).float()
    expected = 20_000 / ds.modes.shape[0]
    assert ((counts - expected).abs() < 0.2 * expected).all()  # every mode visited about equally


def test_gaussian1d_density_is_exact_and_integrates(make_cfg):
    ds = load_dataset(make_cfg(name="gaussian1d", mean=4.0, std=0.5))
    grid = torch.linspace(-2.0, 10.0, 20_001, dtype=torch.float64).unsqueeze(1)
    p = ds.density(grid)
    assert p.shape == (20_001,) and p.dtype == torch.float64
    assert abs(torch.trapezoid(p, grid[:, 0]).item() - 1.0) < 1e-6
    peak = ds.density(torch.tensor([[4.0]])).item()
    assert peak == pytest.approx(1 / (0.5 * math.sqrt(2 * math.pi)), rel=1e-5)
    # Points given as (N,) are accepted in 1-D.
    assert torch.allclose(ds.log_density(torch.tensor([4.0])), torch.tensor([math.log(peak)]))


@pytest.mark.parametrize("name,half", [("ring8", 2.5), ("grid25", 5.0)])
def test_2d_density_integrates_to_one(make_cfg, name, half):
    ds = load_dataset(make_cfg(name=name, mode_std=0.1))
    n = 401
    ticks = torch.linspace(-half, half, n, dtype=torch.float64)
    points = torch.cartesian_prod(ticks, ticks)
    cell = (ticks[1] - ticks[0]).item() ** 2
    total = ds.density(points).sum().item() * cell
    assert total == pytest.approx(1.0, abs=1e-3)


def test_log_density_far_away_is_finite(make_cfg):
    ds = load_dataset(make_cfg(name="ring8"))
    far = ds.log_density(torch.tensor([[100.0, 100.0]]))
    assert torch.isfinite(far).all() and far.item() < -1e6
    assert ds.log_density(torch.zeros(0, 2)).shape == (0,)
    with pytest.raises(ValueError):
        ds.log_density(torch.zeros(3, 1))


def test_mixture_density_matches_formula(make_cfg):
    ds = load_dataset(make_cfg(name="ring8", radius=2.0, mode_std=0.3))
    x = torch.tensor([[0.3, -1.1], [2.0, 0.0]], dtype=torch.float64)
    var = 0.3 ** 2
    sq = ((x[:, None, :] - ds.modes.double()[None]) ** 2).sum(-1)
    expected = (torch.exp(-sq / (2 * var)) / (2 * math.pi * var)).mean(dim=1)
    assert torch.allclose(ds.density(x), expected, rtol=1e-10)


@pytest.mark.parametrize("fields", [
    {"name": "gaussian1d", "std": 0.0}, {"name": "gaussian1d", "std": -1.0},
    {"name": "gaussian1d", "mean": float("nan")}, {"name": "ring8", "radius": 0},
    {"name": "grid25", "mode_std": "wide"},
])
def test_bad_parameters(make_cfg, fields):
    with pytest.raises(GankitError, match="data."):
        load_dataset(make_cfg(**fields))


def test_the_papers_grid_geometry_and_std():
    from gankit.config import load_config
    ds = load_dataset(load_config("grid25_gan").data)
    ticks = [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert sorted(map(tuple, ds.modes.tolist())) == [(x, y) for x in ticks for y in ticks]
    assert ds.mode_std == 0.05
    x, labels = ds.sample(50_000, torch.Generator().manual_seed(2))
    offsets = x - ds.modes[labels]
    assert abs(offsets.std().item() - 0.05) < 0.001 and offsets.abs().mean(0).max().item() < 0.05
    spacing = torch.cdist(ds.modes, ds.modes) + 100 * torch.eye(25)
    assert spacing.min().item() == 2.0  # neighbours 2 apart: 40 std, so the modes never overlap
