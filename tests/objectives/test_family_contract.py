"""The contract every family keeps with the engine, checked on each family in OBJECTIVES."""

import copy
import json
import math
import re
from pathlib import Path

import pytest
import torch

import gankit
import gankit.cli
from gankit import api
from gankit.data import load_dataset
from gankit.evaluation import evaluate_run
from gankit.objectives import OBJECTIVES
from gankit.train.device import place_data
from gankit.train.session import advance, start_session
from tests.conftest import FAMILY_CONFIGS, assert_resume_bit_exact

FAMILIES = sorted(OBJECTIVES)


def config(family, **train):
    cfg = FAMILY_CONFIGS[family](**train)
    cfg.objective = family
    return cfg


def test_every_family_has_a_tiny_config():
    assert set(FAMILY_CONFIGS) == set(OBJECTIVES)


@pytest.mark.parametrize("family", FAMILIES)
def test_one_step_changes_exactly_the_trained_networks_and_their_ema(family):
    cfg = config(family)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    before = {name: copy.deepcopy(net.state_dict()) for name, net in s.nets.items()}
    buffers = {name: value.clone() for name, value in s.parts.buffers.items()}
    stats = advance(s, data)
    trained = {n for spec in s.parts.optimizers.values() for n in spec.nets} | set(s.parts.emas) | \
        set(s.parts.followers)
    for name, net in s.nets.items():
        moved = any(not torch.equal(before[name][k], v) for k, v in net.state_dict().items())
        assert moved == (name in trained), name
    assert all(torch.equal(buffers[k], v) for k, v in s.parts.buffers.items())
    assert stats and all(isinstance(v, torch.Tensor) and v.dim() == 0 for v in stats.values())
    assert s.step == s.t.step == 1


@pytest.mark.parametrize("family", FAMILIES)
def test_n_steps_then_resume_then_n_equals_2n_bit_for_bit(tmp_path, family):
    final = assert_resume_bit_exact(tmp_path, lambda **train: config(family, **train), steps=2)
    assert [k for k in final if k.startswith("rng.")]  # every random stream is part of the state


def test_bf16_on_the_cpu_resumes_bit_for_bit_too(tmp_path):
    """dcgan_fashion trains in bf16 on CPUs that multiply it in hardware (train.precision=auto)."""
    assert_resume_bit_exact(tmp_path, lambda **train: config("gan", **train), steps=2,
                            overrides=["train.precision=bf16"])


@pytest.mark.parametrize("family", FAMILIES)
def test_a_run_loads_samples_and_evaluates_without_its_data(tmp_path, family):
    run_dir = api.train(config(family), out=tmp_path)
    run = api.load_run(run_dir)
    assert run.family is OBJECTIVES[family] and run.parts.sampler in run.parts.nets
    a, b = api.sample(run, 5, seed=3), api.sample(run, 5, seed=3)
    assert torch.equal(a, b) and a.shape[0] == 5 and torch.isfinite(a).all()
    # gankit eval goes through the family's own declaration: its default groups, its best metric among them.
    best = run.family.evaluation.best(run.cfg, run.spec)
    result = evaluate_run(run_dir, n=20)
    assert result["step"] == run.step and math.isfinite(result[best])
    assert json.loads((run_dir / "metrics.json").read_text())[best] == pytest.approx(result[best])
    # The number is the sampling net's: the same again, and another when its weights change (a family that
    # scored anything else, or a constant, would fail here).
    assert gankit.evaluate(run, n=20)[best] == result[best]
    with torch.no_grad():
        for p in run.parts.sampling_net().parameters():
            p.add_(torch.randn_like(p) * 0.5)
    assert gankit.evaluate(run, n=20)[best] != result[best]


@pytest.mark.parametrize("family", FAMILIES)
def test_eval_every_logs_the_family_metric_and_keeps_the_best_checkpoint(tmp_path, family):
    run_dir = api.train(config(family, eval_every=2, eval_n=20), out=tmp_path)
    run = api.load_run(run_dir)
    metric = run.family.evaluation.best(run.cfg, run.spec)
    lines = [json.loads(line) for line in (run_dir / "stats.jsonl").read_text().splitlines()]
    values = {r["step"]: r[f"metrics/{metric}"] for r in lines if f"metrics/{metric}" in r}
    assert sorted(values) == [2, 4] and all(math.isfinite(v) for v in values.values())
    keep = min if metric in run.family.evaluation.lower_is_better else max
    best = json.loads((run_dir / "checkpoints" / "best.json").read_text())["extra"]["best"]
    assert best["metric"] == metric and best["value"] == keep(values.values())
    assert api.load_run(run_dir, "best").step == best["step"]


@pytest.mark.parametrize("family", FAMILIES)
def test_sample_writes_each_suffix_the_family_declares(tmp_path, family):
    run_dir = api.train(config(family), out=tmp_path)
    for suffix in OBJECTIVES[family].writers:
        out = tmp_path / f"samples{suffix}"
        assert gankit.cli.main(["sample", str(run_dir), "--n", "4", "--out", str(out)]) == 0
        assert out.stat().st_size > 0


# The modules outside gankit/objectives/ that must never know a family by name.
NEUTRAL = ["train", "metrics", "evaluation.py", "translate_files.py", "cli.py", "api.py", "config.py",
           "config_rules.py", "config_yaml.py"]


def test_no_module_outside_the_families_names_one():
    package = Path(gankit.__file__).parent
    # A family's name in quotes, or the objective compared with a literal. f-GAN's divergence "gan" (a loss)
    # is the one quoted "gan" allowed.
    named = re.compile(r"""["'](gan|conditional|pix2pix|cyclegan|stargan)["']|objective\s*(==|!=)\s*["']"""
                       r"""|objective\s+(not\s+)?in\s*[(\[]""")
    files = [f for entry in NEUTRAL for f in ([package / entry] if entry.endswith(".py")
                                               else sorted((package / entry).rglob("*.py")))]
    assert len(files) > 10
    offenders = [f"{f.relative_to(package)}:{n}: {line.strip()}" for f in files
                 for n, line in enumerate(f.read_text().splitlines(), 1)
                 if named.search(line) and '"loss.divergence"' not in line]
    assert offenders == []


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("family", FAMILIES)
def test_a_cuda_step_never_waits_for_the_device(family):
    cfg = config(family)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cuda")
    placed = place_data(data, s.t.device)
    advance(s, placed)  # first step: lazy initialisation (cuDNN, optimizer state) may synchronise
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(2):
            advance(s, placed)
    finally:
        torch.cuda.set_sync_debug_mode("default")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("family", FAMILIES)
def test_cuda_resume_is_bit_exact_with_deterministic_kernels(tmp_path, family):
    assert_resume_bit_exact(tmp_path, lambda **train: config(family, **train), steps=2,
                            overrides=["train.device=cuda", "train.deterministic=true"])
