"""The contract every family keeps with the engine, checked on each family in OBJECTIVES."""

import copy
import json

import pytest
import torch

from gankit import api
from gankit.data import load_dataset
from gankit.evaluation import evaluate_run
from gankit.metrics.evaluate_translation import EVALUATORS as TRANSLATION_EVALUATORS
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
    trained = {n for spec in s.parts.optimizers.values() for n in spec.nets} | set(s.parts.emas)
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
    translation = family in TRANSLATION_EVALUATORS  # scored on its test split by its own metrics
    result = evaluate_run(run_dir, metrics=None if translation else "fid", n=20)
    fid = next(k for k in result if k.startswith("fid") and result[k] is not None)
    assert result["step"] == run.step and result[fid] >= 0
    assert json.loads((run_dir / "metrics.json").read_text())[fid] == pytest.approx(result[fid])


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
