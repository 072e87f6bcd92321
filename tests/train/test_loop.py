import json

import pytest
import torch
from safetensors.torch import load_file

from gankit import api
from gankit.errors import GankitError
from gankit.objectives import gan
from gankit.train import DivergedError, train_run
from gankit.train import checkpoint as ckpt
from gankit.train.device import native_bf16_cpu
from tests.conftest import tiny_image_config, tiny_toy_config


def final_tensors(run_dir):
    return load_file(str(ckpt.list_checkpoints(run_dir / "checkpoints")[-1].with_suffix(".safetensors")))


def test_image_run_writes_every_file(tmp_path, image_config):
    image_config.train.tensorboard = True
    image_config.train.ema = 0.9
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    pictures = train_run(image_config, run_dir)
    names = {p.name for p in run_dir.iterdir()}
    assert {"config.yaml", "stats.jsonl", "samples", "samples.gif", "curves.png", "checkpoints",
            "tensorboard"} <= names
    assert sorted(p.name for p in (run_dir / "samples").iterdir()) == [
        "step-000000.png", "step-000002.png", "step-000004.png"]
    records = [json.loads(line) for line in (run_dir / "stats.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [2, 4]
    assert {"step", "wall_time", "loss_D", "loss_G", "D_real", "D_fake"} <= set(records[0])
    assert list((run_dir / "tensorboard").iterdir())
    assert pictures["gif"].exists() and pictures["curves"].exists()
    tensors = final_tensors(run_dir)
    ema_keys = [k for k in tensors if k.startswith("G_ema.") and k.endswith("weight")]
    assert ema_keys and any(not torch.equal(tensors[k], tensors["G." + k[6:]]) for k in ema_keys)


def test_k_discriminator_steps_per_generator_step(tmp_path, monkeypatch):
    calls = []
    for name in ("d_step", "g_step"):
        original = getattr(gan, name)
        monkeypatch.setattr(gan, name, lambda *args, _o=original, _n=name, **kw: calls.append(_n) or _o(*args, **kw))
    cfg = tiny_toy_config(steps=3, n_critic=4)
    (tmp_path / "r").mkdir()
    train_run(cfg, tmp_path / "r")
    assert calls == (["d_step"] * 4 + ["g_step"]) * 3


@pytest.mark.parametrize("make", [tiny_toy_config, tiny_image_config])
def test_resume_is_bit_exact(tmp_path, make):
    straight = api.train(make(steps=6, checkpoint_every=3), out=tmp_path / "a")
    half = api.train(make(steps=3, checkpoint_every=3), out=tmp_path / "b")
    resumed = api.train("ignored", out=tmp_path / "b", overrides=["train.steps=6"], resume=half)
    assert resumed == half
    a, b = final_tensors(straight), final_tensors(resumed)
    assert a.keys() == b.keys()
    for key in a:  # weights, optimizer moments, EMA, every RNG state
        assert torch.equal(a[key], b[key]), key
    steps = [json.loads(line)["step"] for line in (resumed / "stats.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 6


def test_resume_forgets_stats_logged_after_the_checkpoint(tmp_path):
    run = api.train(tiny_toy_config(steps=4, checkpoint_every=4, log_every=1), out=tmp_path)
    # Pretend the run went on to log step 5 and 6 before it was killed.
    with open(run / "stats.jsonl", "a") as f:
        f.write(json.dumps({"step": 5}) + "\n" + json.dumps({"step": 6}) + "\n")
    api.train("x", out=tmp_path, overrides=["train.steps=6"], resume=run)
    steps = [json.loads(line)["step"] for line in (run / "stats.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4, 5, 6]


def test_divergence_stops_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    original = gan.g_step
    count = {"n": 0}

    def poisoned(parts, t, kept=None, labels=None):
        count["n"] += 1
        stats = original(parts, t, kept, labels)
        if count["n"] >= 5:  # G's weights go NaN in step 5, so does everything after
            with torch.no_grad():
                for p in parts.nets["G"].parameters():
                    p.fill_(float("nan"))
        return stats

    monkeypatch.setattr(gan, "g_step", poisoned)
    cfg = tiny_toy_config(steps=10, checkpoint_every=3, log_every=2)
    (tmp_path / "r").mkdir()
    # Statistics are read once per logging interval (steps 5-6 here), never inside a step.
    with pytest.raises(DivergedError, match=r"diverged in steps 5-6 \(loss_D is nan\); the last good checkpoint is ckpt-000003"):
        train_run(cfg, tmp_path / "r")
    kept = ckpt.list_checkpoints(tmp_path / "r" / "checkpoints")
    assert [p.name for p in kept] == ["ckpt-000003.json"]
    assert all(torch.isfinite(t.float()).all() for t in final_tensors(tmp_path / "r").values())


def test_a_checkpoint_is_never_written_with_nan_weights(tmp_path, monkeypatch):
    original = gan.g_step

    def poisoned(parts, t, kept=None, labels=None):
        stats = original(parts, t, kept, labels)
        with torch.no_grad():
            parts.nets["G"].net[0].weight.fill_(float("nan"))
        return {"loss_G": stats["loss_G"] * 0}  # the statistics look healthy; the weights are not

    monkeypatch.setattr(gan, "g_step", poisoned)
    monkeypatch.setattr(gan, "d_step", lambda parts, data, t, keep_fakes=False, labels=None: ({}, None))
    cfg = tiny_toy_config(steps=4, checkpoint_every=2, log_every=4)
    (tmp_path / "r").mkdir()
    with pytest.raises(DivergedError, match=r"by step 2 \(G's weights hold NaN or inf\); no checkpoint"):
        train_run(cfg, tmp_path / "r")
    assert ckpt.list_checkpoints(tmp_path / "r" / "checkpoints") == []


def test_seed_makes_runs_repeatable_and_different_seeds_differ(tmp_path):
    a = final_tensors(api.train(tiny_toy_config(seed=1), out=tmp_path / "a"))
    b = final_tensors(api.train(tiny_toy_config(seed=1), out=tmp_path / "b"))
    c = final_tensors(api.train(tiny_toy_config(seed=2), out=tmp_path / "c"))
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["G.net.0.weight"], c["G.net.0.weight"])


def test_minutes_stops_training_writes_a_checkpoint_and_resume_continues(tmp_path):
    run = api.train(tiny_toy_config(steps=100000, minutes=0.0005, checkpoint_every=100000), out=tmp_path)
    first = ckpt.list_checkpoints(run / "checkpoints")[-1]
    _, meta = ckpt.load_checkpoint(first)
    assert 0 < meta["step"] < 100000 and meta["wall_time"] >= 0.03
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert records[-1]["step"] == meta["step"]  # the last interval is logged when time runs out
    more = (meta["wall_time"] + 0.05) / 60  # a budget beyond what the first part spent, however slow it was
    api.train("x", out=tmp_path, overrides=[f"train.minutes={more}"], resume=run)
    _, later = ckpt.load_checkpoint(ckpt.list_checkpoints(run / "checkpoints")[-1])
    assert later["step"] > meta["step"] and later["wall_time"] >= 60 * more


@pytest.mark.parametrize("precision", ["bf16", "fp16"])
def test_mixed_precision_runs_train_and_checkpoint_their_scaler(tmp_path, precision):
    run = api.train(tiny_image_config(steps=4, precision=precision), out=tmp_path)
    tensors = final_tensors(run)
    assert all(torch.isfinite(t.float()).all() for k, t in tensors.items() if k.startswith(("G.", "D.")))
    _, meta = ckpt.load_checkpoint(ckpt.list_checkpoints(run / "checkpoints")[-1])
    assert set(meta["context"]["scalers"]) == ({"G", "D"} if precision == "fp16" else set())


def test_precision_auto_says_what_it_chose(tmp_path, capsys):
    api.train(tiny_image_config(steps=2, precision="auto"), out=tmp_path)
    chosen = "bf16" if native_bf16_cpu() else "fp32"
    assert f"gankit: train.precision auto: {chosen} on cpu (" in capsys.readouterr().err


def test_channels_last_trains_the_same_networks(tmp_path):
    a = final_tensors(api.train(tiny_image_config(steps=2), out=tmp_path / "a"))
    b = final_tensors(api.train(tiny_image_config(steps=2, channels_last=True), out=tmp_path / "b"))
    assert a.keys() == b.keys()
    for key in a:  # the same arithmetic in another memory order: equal up to rounding
        assert torch.allclose(a[key].float(), b[key].float(), atol=1e-5), key


@pytest.mark.slow
def test_compiled_networks_train_like_eager_ones(tmp_path):
    a = final_tensors(api.train(tiny_toy_config(steps=3), out=tmp_path / "a"))
    b = final_tensors(api.train(tiny_toy_config(steps=3, compile=True), out=tmp_path / "b"))
    assert a.keys() == b.keys()  # compiled in place: the checkpoint keys do not change
    for key in (k for k in a if k.startswith(("G.", "D."))):
        assert torch.allclose(a[key], b[key], atol=1e-5), key


def test_compile_refuses_penalties_that_differentiate_twice(tmp_path):
    cfg = tiny_toy_config(compile=True)
    cfg.loss.name, cfg.loss.penalty = "wasserstein", "gp"
    with pytest.raises(GankitError, match="train.compile cannot differentiate twice"):
        api.train(cfg, out=tmp_path)


def test_a_run_that_fails_at_start_leaves_no_folder(tmp_path):
    cfg = tiny_image_config()
    cfg.data.name, cfg.data.path = "mnist", str(tmp_path / "missing")
    with pytest.raises(GankitError):
        api.train(cfg, out=tmp_path / "runs")
    assert list((tmp_path / "runs").iterdir()) == []
