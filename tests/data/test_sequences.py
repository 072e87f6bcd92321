"""SequenceDataset and its worlds: moving_fashion (Moving MNIST with garments) and fork (two exact futures)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from gankit.config_sections import DataConfig
from gankit.data import FASHION_MNIST_DIR, spec_of, to_float
from gankit.data.idx import FASHION_MNIST_CLASSES, read_fashion_mnist
from gankit.data.images import resize
from gankit.data.moving import (ForkPath, bounce, draw_fork, draw_moving, fork_garment_side, moving_corners,
                                moving_garment_side, paste)
from gankit.data.sequences import SequenceDataset, load_fork, load_moving_fashion
from gankit.errors import GankitError
from gankit.metrics.nextframe import fork_scores

needs_fashion = pytest.mark.skipif(not Path(FASHION_MNIST_DIR).is_dir(), reason="Fashion-MNIST is not installed")


def _garments(n: int = 6, side: int = 28, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """n distinct uint8 (n, 1, side, side) images with no black pixel (so a cut-off changes the sum), labels."""
    gen = torch.Generator().manual_seed(seed)
    images = torch.randint(1, 256, (n, 1, side, side), generator=gen, dtype=torch.int64).to(torch.uint8)
    return images, torch.arange(n) % 10


def _moving(objects: int = 1, size: int = 32, frames_in: int = 3, frames_out: int = 4, n: int = 6):
    return SequenceDataset(*_garments(n), "moving", size, frames_in, frames_out, objects)


def _fork(size: int = 32, frames_in: int = 10, frames_out: int = 10, n: int = 6):
    return SequenceDataset(*_garments(n), "fork", size, frames_in, frames_out)


def test_moving_basics_shapes_and_range():
    images, labels = _garments()
    ds = SequenceDataset(images, labels, "moving", 32, 3, 4)
    assert ds.kind == "sequence" and ds.name == "moving_fashion" and ds.objects == 2 and len(ds) == 6
    assert ds.shape == (3, 1, 32, 32) and ds.frames_out == 4 and ds.device == torch.device("cpu")
    assert ds.num_classes == 10 and ds.class_names == FASHION_MNIST_CLASSES
    assert spec_of(ds)[:4] == ("sequence", (3, 1, 32, 32), 10, FASHION_MNIST_CLASSES)
    assert "moving_fashion" in repr(ds) and "garments=6" in repr(ds)
    # 28 px garments at 64 px, scaled by size / 64: 14 px at 32, resized once, here.
    assert moving_garment_side(64) == 28 and moving_garment_side(32) == 14
    assert torch.equal(ds.garments, resize(images, 14)) and ds.garments.dtype == torch.uint8
    assert torch.equal(SequenceDataset(images, labels, size=64).garments, images)
    past, future = ds.sample(5, torch.Generator().manual_seed(0))
    assert past.shape == (5, 3, 1, 32, 32) and future.shape == (5, 4, 1, 32, 32)
    assert past.dtype == future.dtype == torch.float32
    assert past.min() >= -1 and past.max() <= 1 and future.min() == -1 and future.max() > -1
    moved = ds.to("cpu")
    assert torch.equal(moved.sample(5, torch.Generator().manual_seed(0))[1], future) and moved.name == ds.name


@pytest.mark.parametrize("world", ["moving", "fork"])
def test_sample_is_a_function_of_the_generator(world):
    ds = _moving(objects=2) if world == "moving" else _fork()
    a = ds.sample(8, torch.Generator().manual_seed(4))
    b = ds.sample(8, torch.Generator().manual_seed(4))
    c = ds.sample(8, torch.Generator().manual_seed(5))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(torch.cat(a, 1), torch.cat(c, 1))


@pytest.mark.parametrize("world", ["moving", "fork"])
def test_fixed_is_deterministic_and_a_prefix_of_any_longer_set(world):
    ds = _moving(objects=2) if world == "moving" else _fork()
    short, again, long = ds.fixed(5), ds.fixed(5), ds.fixed(300)  # 300 crosses a block of 256 draws
    assert short.keys() == long.keys()
    assert {"past", "future", "labels", "object_labels"} <= short.keys()
    for key in short:
        assert torch.equal(short[key], again[key]) and torch.equal(short[key], long[key][:5]), key
    assert short["past"].shape == (5,) + ds.shape and short["future"].shape == (5, ds.frames_out, 1, 32, 32)
    assert short["labels"].shape == (5,) and torch.equal(short["labels"], short["object_labels"][:, 0])
    assert short["object_labels"].shape == (5, ds.objects)
    assert not torch.equal(ds.fixed(5, seed=1)["future"], short["future"])
    assert ds.fixed(0)["past"].shape == (0,) + ds.shape


def test_bounce_reflects_off_both_walls():
    free = torch.tensor([8.0, 11.0, 14.0, 17.0, 20.0, 23.0, -2.0, -13.0])
    assert bounce(free, 10.0).tolist() == [8.0, 9.0, 6.0, 3.0, 0.0, 3.0, 2.0, 7.0]


def test_one_moving_garment_stays_whole_moves_at_its_speed_and_bounces():
    size, frames = 32, 20
    ds = _moving(objects=1, size=size, frames_in=8, frames_out=12)
    past, future = ds.sample(64, torch.Generator().manual_seed(7))
    # The documented draws, replayed: indices, start corners, speeds, directions.
    index, start, velocity = draw_moving(64, 1, len(ds), size, torch.Generator().manual_seed(7))
    corners = moving_corners(start, velocity, frames, size)
    frames_u8 = paste(ds.garments[index][:, :, 0], corners, size)  # (64, 20, 32, 32)
    assert torch.equal(torch.cat([past, future], 1), to_float(frames_u8).unsqueeze(2))
    # Nothing is cut off: every frame holds the whole garment, at its rounded corner.
    sums = frames_u8.flatten(2).sum(2)
    assert torch.equal(sums, ds.garments[index[:, 0]].flatten(1).sum(1, keepdim=True).expand(-1, frames))
    span = size - 14
    assert corners.min() >= 0 and corners.max() <= span
    # Speeds in [2, 5] x 32 / 64 px a frame.
    speed = velocity.norm(dim=-1)
    assert speed.min() >= 1.0 - 1e-6 and speed.max() <= 2.5 + 1e-6
    # Between frames a garment moves by its velocity on each axis, or, where it met a wall, by less and then
    # with that component reversed; positions stay inside [0, span].
    t = torch.arange(frames, dtype=torch.float32)[None, None, :, None]
    where = bounce(start[:, :, None] + t * velocity[:, :, None], span)  # (64, 1, 20, 2)
    assert where.min() >= 0 and where.max() <= span
    step, v = where.diff(dim=2), velocity[:, :, None].expand(-1, -1, frames - 1, -1)
    straight = (step - v).abs() < 1e-3
    reversed_ = (step + v).abs() < 1e-3
    assert bool((step.abs() <= v.abs() + 1e-3).all())
    assert (straight | reversed_).float().mean() > 0.8 and straight.any() and reversed_.any()
    met_wall = ~(straight | reversed_)
    assert met_wall.any()
    for b, k, s, axis in met_wall.nonzero().tolist():  # a step that met a wall reverses that component
        if 0 < s < frames - 2 and not (met_wall[b, k, s - 1, axis] or met_wall[b, k, s + 1, axis]):
            assert abs(step[b, k, s + 1, axis] + step[b, k, s - 1, axis]) < 1e-3


def test_two_moving_garments_overlap_by_their_pixelwise_maximum():
    ds = _moving(objects=2)
    past, future = ds.sample(16, torch.Generator().manual_seed(2))
    index, start, velocity = draw_moving(16, 2, len(ds), 32, torch.Generator().manual_seed(2))
    corners = moving_corners(start, velocity, 7, 32)
    one = [paste(ds.garments[index[:, k:k + 1]][:, :, 0], corners[:, k:k + 1], 32) for k in (0, 1)]
    assert torch.equal(torch.cat([past, future], 1), to_float(torch.maximum(*one)).unsqueeze(2))


def test_fork_geometry():
    path = ForkPath(32, 10, 10)
    assert path.side == fork_garment_side(32) == 8 and path.centre == 12 and path.speed == 1
    assert fork_garment_side(64) == 16 and ForkPath(64, 10, 10).speed == 2
    up, down = path.table  # (20, 2) (row, col) corners each
    assert torch.equal(up[:10], down[:10]) and up[9].tolist() == down[9].tolist() == [12, 12]
    # The past runs right along the vertical middle (garment centre at row 16 of 32) into the junction.
    assert (up[:10, 0] == 12).all() and (up[:10, 1].diff() == 1).all() and up[0, 1] == 3
    # The future goes up or down the vertical line through the junction at the same speed, inside the frame.
    assert (up[10:, 1] == 12).all() and (up[9:, 0].diff() == -1).all() and up[-1, 0] == 2
    assert (down[10:, 1] == 12).all() and (down[9:, 0].diff() == 1).all() and down[-1, 0] == 32 - 8 - 2
    assert ForkPath(32, 13, 12).table.min() == 0 and ForkPath(32, 13, 12).table.max() == 24  # edge to edge


def test_fork_future_is_one_of_two_sharp_futures_and_the_junction_is_reached_in_the_last_past_frame():
    ds = _fork()
    fixed = ds.fixed(40)
    futures, branch = fixed["futures"], fixed["branch"]
    assert futures.shape == (40, 2, 10, 1, 32, 32) and set(branch.tolist()) == {0, 1}
    assert torch.equal(fixed["future"], futures[torch.arange(40), branch])
    assert ((futures[:, 0] - futures[:, 1]).flatten(1).abs().amax(1) > 0).all()
    # Up is above the junction, down below it, in the last future frame.
    last_up, last_down = futures[:, 0, -1, 0] > -1, futures[:, 1, -1, 0] > -1  # (40, 32, 32) garment pixels
    assert last_up[:, :16].flatten(1).any(1).all() and not last_up[:, 16:].any()
    assert last_down[:, 16:].flatten(1).any(1).all() and not last_down[:, :16].any()
    # The last past frame shows the whole garment in the 8 px square at the junction, nothing else.
    junction = fixed["past"][:, -1, 0]
    assert (junction[:, 12:20, 12:20] > -1).all()
    junction[:, 12:20, 12:20] = -1
    assert (junction == -1).all()
    # The regression optimum (the average of the futures) shows no one garment; each true future does.
    assert fork_scores(futures.mean(1), futures)["one_garment_share"] == 0
    assert fork_scores(futures[:, 0], futures) == {"one_garment_share": 1.0, "branch_up_share": 1.0, "n": 40}
    assert fork_scores(futures[:, 1], futures)["branch_up_share"] == 0.0
    scores = fork_scores(fixed["future"], futures)
    assert scores["one_garment_share"] == 1
    assert scores["branch_up_share"] == pytest.approx(float((branch == 0).double().mean()))


def test_fork_coin_is_fair_and_the_past_does_not_depend_on_it():
    ds = _fork(n=1)  # one garment: the coin is the only randomness
    past, future = ds.sample(2000, torch.Generator().manual_seed(11))
    assert (past == past[0]).all()
    up = (future[:, -1, 0, :16] > -1).any(2).any(1)  # garment in the top half of the last frame
    down = (future[:, -1, 0, 16:] > -1).any(2).any(1)
    assert bool((up ^ down).all())
    # Binomial(2000, 1/2): sd 0.011, so 0.45..0.55 is 4.5 sd.
    assert 0.45 < up.float().mean() < 0.55
    assert len(torch.unique(future.flatten(1), dim=0)) == 2
    index, branch = draw_fork(2000, 1, torch.Generator().manual_seed(11))
    assert (index == 0).all() and torch.equal(branch == 0, up)


def _write_fashion(folder: Path, write_idx) -> dict:
    """A Fashion-MNIST-like folder of 28 px images: 12 train, 7 test."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    made = {}
    for split, prefix, n in (("train", "train", 12), ("test", "t10k", 7)):
        images, labels = rng.integers(1, 256, (n, 28, 28), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images, gz=True)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels, gz=True)
        made[split] = (torch.from_numpy(images).unsqueeze(1), torch.from_numpy(labels.astype(np.int64)))
    return made


def test_loaders_read_the_split_and_apply_the_options(tmp_path, write_idx):
    made = _write_fashion(tmp_path / "fashion", write_idx)
    path = str(tmp_path / "fashion")
    moving = load_moving_fashion(DataConfig(name="moving_fashion", path=path, split="test"))
    assert moving.name == "moving_fashion" and moving.shape == (10, 1, 64, 64) and moving.frames_out == 10
    assert moving.objects == 2 and len(moving) == 7 and torch.equal(moving.garments, made["test"][0])
    assert torch.equal(moving.labels, made["test"][1])
    small = load_moving_fashion(DataConfig(name="moving_fashion", path=path, limit=3, resolution=32, frames_in=2,
                                           frames_out=3, objects=3, channels=1))
    assert small.shape == (2, 1, 32, 32) and small.frames_out == 3 and small.objects == 3 and len(small) == 3
    assert torch.equal(small.garments, resize(made["train"][0][:3], 14))
    fork = load_fork(DataConfig(name="fork", path=path, split="test", limit=5))
    assert fork.name == "fork" and fork.shape == (10, 1, 32, 32) and fork.objects == 1 and len(fork) == 5
    assert torch.equal(fork.garments, resize(made["test"][0][:5], 8))
    assert fork.fixed(3)["futures"].shape == (3, 2, 10, 1, 32, 32)


@pytest.mark.parametrize("name, options, key", [
    ("moving_fashion", {"frames_in": 0}, "data.frames_in"),
    ("moving_fashion", {"frames_out": 0}, "data.frames_out"),
    ("fork", {"frames_out": -1}, "data.frames_out"),
    ("moving_fashion", {"objects": 0}, "data.objects"),
    ("moving_fashion", {"frames_in": True}, "data.frames_in"),
    ("moving_fashion", {"resolution": 8}, "data.resolution"),
    ("fork", {"resolution": 12}, "data.resolution"),
    ("moving_fashion", {"channels": 3}, "data.channels"),
    ("fork", {"frames_in": 20}, "data.resolution"),
    ("fork", {"frames_out": 13}, "data.frames_out"),
    ("fork", {"resolution": 64, "frames_in": 30}, "data.frames_in"),
])
def test_bad_options_are_one_sentence_before_any_read(tmp_path, name, options, key):
    cfg = DataConfig(name=name, path=str(tmp_path / "absent"), **options)  # the read would fail differently
    loader = load_fork if name == "fork" else load_moving_fashion
    with pytest.raises(GankitError) as caught:
        loader(cfg)
    message = str(caught.value)
    assert key in message and message.endswith(".") and "\n" not in message and "absent" not in message


def test_the_fork_error_says_what_fits():
    with pytest.raises(GankitError, match=r"data\.frames_in=20 / data\.frames_out=10 .* data\.resolution=32 .* "
                                          r"at most 12; lower them or set data\.resolution to 50 or more\."):
        load_fork(DataConfig(name="fork", frames_in=20))
    assert ForkPath(50, 20, 10).speed == 1


@needs_fashion
def test_test_sequences_are_made_of_test_garments():
    test = read_fashion_mnist(DataConfig(name="fashion_mnist", split="test"))
    ds = load_fork(DataConfig(name="fork", split="test", limit=50))
    assert torch.equal(ds.garments, resize(test.images[:50], 8)) and torch.equal(ds.labels, test.labels[:50])
    fixed = ds.fixed(20)
    assert torch.equal(fixed["future"], fixed["futures"][torch.arange(20), fixed["branch"]])
    assert fork_scores(fixed["futures"].mean(1), fixed["futures"])["one_garment_share"] == 0
    assert fork_scores(fixed["future"], fixed["futures"])["one_garment_share"] == 1
    moving = load_moving_fashion(DataConfig(name="moving_fashion", split="test", limit=50, objects=1))
    past, future = moving.sample(4, torch.Generator().manual_seed(0))
    whole = torch.cat([past, future], 1)
    assert whole.shape == (4, 20, 1, 64, 64) and torch.equal(moving.garments, test.images[:50])
    # 64 px frames hold the 28 px garments unresized; every frame carries the same garment's pixel mass.
    mass = (whole + 1).flatten(2).sum(2)  # (4, 20)
    assert torch.allclose(mass, mass[:, :1].expand(-1, 20))
