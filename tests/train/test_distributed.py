"""Data-parallel training under torchrun on the CPU (gloo, 2 processes): every family trains as one process
would on the same global batch, resume is bit-exact, a killed worker is survived, and bad launches are one
sentence on every rank. Each test launches real processes (seconds each): marked slow."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from gankit.train import checkpoint as ckpt

WORKER = Path(__file__).parent / "ddp_worker.py"
pytestmark = pytest.mark.slow

# What keeps a family's 2-process training equal to 1 process's: global BatchNorm statistics, no per-process
# randomness (dropout masks are each process's own; CycleGAN's image pools too), and SGD: Adam divides each
# gradient by its running size, so where a true gradient is about zero the float noise of another summation
# order becomes a full step of either sign (measured: StarGAN's first G layer 3e-4 apart after 2 steps). "gan"
# keeps its Adam to show the optimizer states gathered and saved alike.
SGD = ["g_optim.name=sgd", "d_optim.name=sgd"]
EQUAL = {"gan": [], "gan-wgangp": ["loss.name=wasserstein", "loss.penalty=gp", *SGD],
         "gan-r1": ["loss.penalty=r1", "loss.r1_gamma=1", *SGD], "conditional": SGD,
         "pix2pix": ["model.g_dropout=0", *SGD], "cyclegan": ["cyclegan.pool_size=0", *SGD], "stargan": SGD,
         "mle": SGD, "seqgan": SGD, "gumbel": SGD, "srgan": SGD, "nextframe": SGD,
         "gan-ada": ["train.augment=ada", "train.ada_kimg=0.1", *SGD], "conditional-diffaug": ["train.augment=diffaug",
                                                                                              *SGD],
         "gan-bcr": ["loss.bcr_weight=10", *SGD]}


def launch(family: str, out: Path, *flags: str, nproc: int = 2, env: dict | None = None, restarts: int = 0,
           timeout: float = 240) -> subprocess.CompletedProcess:
    """`gankit train` of the family's tiny config, under torchrun with nproc processes (nproc 0: no torchrun)."""
    command = [sys.executable, str(WORKER), family.split("-")[0], str(out), *flags]
    if nproc:
        command[1:1] = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
                        f"--max-restarts={restarts}"]
    # PYTHONFAULTHANDLER: a rank that aborts in C++ (gloo) prints where each of its Python threads was
    environment = os.environ | {"OMP_NUM_THREADS": "1", "GANKIT_CACHE": str(out / "cache"),
                                "PYTHONFAULTHANDLER": "1"} | (env or {})
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment)


def final_tensors(out: Path) -> dict:
    (run,) = [p for p in out.iterdir() if p.is_dir() and p.name[0].isdigit()]
    return load_file(str(ckpt.list_checkpoints(run / "checkpoints")[-1].with_suffix(".safetensors")))


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stderr[-8000:]
    return result


@pytest.mark.parametrize("family", list(EQUAL))
def test_two_processes_train_as_one_process_on_the_same_global_batch(tmp_path, family):
    # two steps: float differences of another summation order grow with each step where a network amplifies
    # them (CycleGAN's instance norms on 4x4 maps: 4e-9, 4e-8, 1e-6, 1e-4 after steps 1-4, with SGD)
    flags = ["--set", "train.steps=2", "train.sync_bn=true", *EQUAL[family]]
    ok(launch(family, tmp_path / "two", *flags))
    ok(launch(family, tmp_path / "one", *flags, nproc=0))
    two, one = final_tensors(tmp_path / "two"), final_tensors(tmp_path / "one")
    # the second process's own state: its dropout generator (and CycleGAN's image pools)
    assert set(two) - set(one) == {f"rank1/{k}" for k in one if k == "rng.torch" or k.startswith("local.")}
    weights = [k for k in one if one[k].is_floating_point() and not k.startswith("rng.")]
    assert weights
    for key in weights:  # the reduction order differs, nothing else
        assert torch.allclose(two[key], one[key], rtol=1e-4, atol=1e-5), (key, (two[key] - one[key]).abs().max())
    for key in [k for k in one if k.startswith("rng.") and k != "rng.torch"]:  # the run's streams, drawn alike
        assert torch.equal(two[key], one[key]), key


def test_resume_under_two_processes_is_bit_exact_with_one_folder_and_one_log(tmp_path):
    flags = ["--set", "train.checkpoint_every=2", "model.dropout=0.25"]  # D's dropout: per-process generators
    ok(launch("seqgan", tmp_path / "straight", *flags, "train.steps=4"))
    ok(launch("seqgan", tmp_path / "resumed", *flags, "train.steps=2"))
    ok(launch("seqgan", tmp_path / "resumed", "--resume", "--set", "train.steps=4"))
    straight, resumed = final_tensors(tmp_path / "straight"), final_tensors(tmp_path / "resumed")
    assert set(straight) == set(resumed) and "rank1/rng.torch" in straight
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key
    runs = [p for p in (tmp_path / "resumed").iterdir() if p.is_dir() and p.name[0].isdigit()]
    assert len(runs) == 1
    steps = [json.loads(line)["step"] for line in (runs[0] / "stats.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[-1] == 4  # one log, each step once
    meta = json.loads(ckpt.list_checkpoints(runs[0] / "checkpoints")[-1].read_text())
    assert meta["world_size"] == 2


def test_a_killed_worker_is_survived_with_a_restart_and_resumed_without_one(tmp_path):
    flags = ["--set", "train.steps=6", "train.checkpoint_every=2", "train.sync_bn=true"]
    ok(launch("gan", tmp_path / "straight", *flags))
    kill = {"GANKIT_TEST_KILL_AT": "1:3"}
    ok(launch("gan", tmp_path / "restarted", *flags, env=kill, restarts=1))
    straight = final_tensors(tmp_path / "straight")
    restarted = final_tensors(tmp_path / "restarted")
    assert all(torch.equal(straight[k], restarted[k]) for k in straight)
    assert not list((tmp_path / "restarted").glob(".torchrun-*"))  # the restart record is gone at the end
    failed = launch("gan", tmp_path / "resumed", *flags, env=kill)
    assert failed.returncode != 0
    ok(launch("gan", tmp_path / "resumed", "--resume"))
    resumed = final_tensors(tmp_path / "resumed")
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)


def test_an_indivisible_batch_and_a_failing_rank_are_one_sentence_each(tmp_path):
    result = launch("gan", tmp_path / "odd", "--set", "train.batch_size=9")
    assert result.returncode != 0
    assert result.stderr.count("does not split evenly over 2 processes") == 2  # every rank says it and exits
    assert "[rank0]: Traceback" not in result.stderr and "[rank1]: Traceback" not in result.stderr
    assert not [p for p in (tmp_path / "odd").iterdir() if p.is_dir() and p.name[0].isdigit()]
    result = launch("gan", tmp_path / "raises", env={"GANKIT_TEST_RAISE_AT": "1:2"})
    assert result.returncode != 0
    assert "gankit: error: rank 1: a test fault at step 2" in result.stderr
    assert "[rank0]: Traceback" not in result.stderr  # rank 0, stopped by torchrun or losing rank 1: no traceback


def test_another_world_size_on_resume_is_said_in_one_line_and_continues(tmp_path):
    ok(launch("gan", tmp_path / "run", "--set", "train.steps=2", "train.sync_bn=true"))
    result = ok(launch("gan", tmp_path / "run", "--resume", "--set", "train.steps=4", nproc=0))
    assert "was saved by 2 process(es) and 1 continue it" in result.stderr
