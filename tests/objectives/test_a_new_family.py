"""The proof of the family contract: a family defined here, in the test file, trains, resumes bit for bit,
samples, evaluates and runs train.eval_every through `gankit.cli.main`, with no other file changed.

The family is a 1-D GAN whose G is one affine map of its noise: x = a * z + b. It has its own option
(`shifted.offset`, added to its samples), its own metric (the gap between the samples' mean and the data's),
its own sample writer (`.csv`) and its own progress picture (a text file).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

from gankit.cli import main
from gankit.data import load_dataset
from gankit.objectives import OBJECTIVES, Evaluation, Family, OptimizerSpec, Parts, option
from gankit.train import checkpoint as ckpt

NAME = "shifted"


@dataclass
class Options:
    offset: float = option(0.0, "added to every sample", low=-100, high=100)


def build(cfg, spec, data=None) -> Parts:
    G = nn.Linear(1, 1)
    D = nn.Sequential(nn.Linear(1, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
    return Parts(cfg=cfg, nets={"G": G, "D": D},
                 optimizers={"G": OptimizerSpec(cfg.g_optim, ("G",)), "D": OptimizerSpec(cfg.d_optim, ("D",))},
                 buffers={"probe_z": torch.randn(16, 1, generator=torch.Generator().manual_seed(1))})


def train_step(parts: Parts, data, t) -> dict:
    G, D, n = parts.nets["G"], parts.nets["D"], parts.cfg.train.batch_size
    real, _ = t.batch(data, n)
    fake = G(torch.randn(n, 1, generator=t.rng("noise"), device=t.device)) + parts.cfg.options.offset
    loss_d = F.softplus(-D(real)).mean() + F.softplus(D(fake.detach())).mean()
    t.update("D", loss_d)
    with t.frozen(D):
        loss_g = F.softplus(-D(fake)).mean()
    t.update("G", loss_g)
    return {"d": loss_d.detach(), "g": loss_g.detach()}


def inputs(parts, n, generator) -> dict:
    return {"z": torch.randn(n or 10, 1, generator=generator)}


@torch.no_grad()
def generate(parts, inputs, chunk=500) -> torch.Tensor:
    return parts.sampling_net()(inputs["z"]) + parts.cfg.options.offset


def preview(parts, data) -> dict:
    return {"kind": "numbers", "values": generate(parts, {"z": parts.buffers["probe_z"]})[:, 0].tolist()}


def draw(stem, preview, data):
    path = stem.with_suffix(".txt")
    path.write_text(" ".join(f"{v:.4f}" for v in preview["values"]))
    return path


def write_csv(path, samples, inputs, parts) -> None:
    with open(path, "x", newline="") as f:
        csv.writer(f).writerows([[float(v)] for v in samples[:, 0]])


def prepare(parts, request):
    data = load_dataset(parts.cfg.data)

    def score() -> dict:
        x = generate(parts, inputs(parts, request.n, torch.Generator().manual_seed(request.seed)))[:, 0]
        return {"mean_gap": abs(float(x.mean() - data.modes[0, 0])), "std_gap": abs(float(x.std()) - data.mode_std)}
    return score


EVALUATION = Evaluation(groups=lambda cfg, spec: {"moments": ("mean_gap", "std_gap")},
                        defaults=lambda cfg, spec: ("moments",), best=lambda cfg, spec: "mean_gap",
                        lower_is_better=frozenset({"mean_gap", "std_gap"}), prepare=prepare)
FAMILY = Family(build=build, train_step=train_step, inputs=inputs, generate=generate, preview=preview,
                evaluation=EVALUATION, writers={".csv": write_csv}, data=(("toy",), "toy samples"), draw=draw,
                options=Options, headline=("d", "g"))


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    monkeypatch.setitem(OBJECTIVES, NAME, FAMILY)


def train(out, *sets) -> int:
    return main(["train", "gaussian1d_fig1", "--out", str(out), "--set", f"objective={NAME}", f"{NAME}.offset=3",
                 "train.batch_size=32", "train.log_every=5", "train.sample_every=10", "train.checkpoint_every=10",
                 "train.progress=false", "g_optim.lr=0.01", "d_optim.lr=0.01", *sets])


def last_tensors(run):
    return load_file(str(ckpt.list_checkpoints(run / "checkpoints")[-1].with_suffix(".safetensors")))


def test_a_family_defined_in_a_test_file_runs_every_command(tmp_path, capsys):
    assert train(tmp_path / "a", "train.steps=40", "train.eval_every=10", "train.eval_n=500") == 0
    run = next((tmp_path / "a").iterdir())
    config = (run / "config.yaml").read_text()
    assert f"objective: {NAME}" in config and f"{NAME}:\n  offset: 3.0" in config  # its own option, saved
    assert (run / "samples" / "step-000040.txt").is_file()  # its own picture
    lines = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    gaps = [r["metrics/mean_gap"] for r in lines if "metrics/mean_gap" in r]
    assert len(gaps) == 4 and {"d", "g", "examples_seen"} <= set(lines[0])
    assert lines[0]["examples_seen"] == 5 * 32  # one batch a step, as the family drew them
    best = json.loads((run / "checkpoints" / "best.json").read_text())["extra"]["best"]
    assert best == {"metric": "mean_gap", "value": min(gaps), "step": 10 * (gaps.index(min(gaps)) + 1)}

    # Resume: 20 steps, then 20 more, equals 40 at once, bit for bit.
    assert train(tmp_path / "b", "train.steps=20") == 0
    half = next((tmp_path / "b").iterdir())
    assert main(["train", "x", "--resume", str(half), "--set", "train.steps=40"]) == 0
    straight, resumed = last_tensors(run), last_tensors(half)
    assert straight.keys() == resumed.keys() and all(torch.equal(straight[k], resumed[k]) for k in straight)

    # Samples through its own writer, and only its suffixes.
    out = tmp_path / "s.csv"
    assert main(["sample", str(run), "--n", "7", "--out", str(out)]) == 0
    values = [float(row[0]) for row in csv.reader(out.open())]
    assert len(values) == 7
    assert main(["sample", str(run), "--out", str(tmp_path / "s.png")]) == 2
    assert "must end in .csv" in capsys.readouterr().err

    # Its own evaluation: gankit eval writes its metric; the offset pulls the samples 3 away from the data.
    assert main(["eval", str(run), "--n", "2000"]) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics) >= {"mean_gap", "std_gap", "step"} and metrics["step"] == 40
    assert main(["eval", str(run), "--metrics", "fid"]) == 2
    assert "choose from moments" in capsys.readouterr().err


def test_its_option_is_checked_like_any_key(tmp_path, capsys):
    assert train(tmp_path, f"{NAME}.offset=500") == 2
    assert f"'{NAME}.offset' is 500.0; it must be >= -100 and < 100" in capsys.readouterr().err
    assert train(tmp_path, f"{NAME}.ofset=1") == 2
    assert f"did you mean '{NAME}.offset'" in capsys.readouterr().err
    assert main(["train", "gaussian1d_fig1", "--out", str(tmp_path), "--set", f"{NAME}.offset=1"]) == 2
    assert f"only applies with objective={NAME}" in capsys.readouterr().err


def test_the_family_learns(tmp_path):
    """Its G moves toward the data: the mean gap after 300 steps is a fraction of the gap after 10 (offset 0)."""
    assert train(tmp_path, f"{NAME}.offset=0", "train.steps=300", "train.keep_checkpoints=0") == 0
    run = next(tmp_path.iterdir())
    gaps = []
    for step in ("10", "300"):
        assert main(["eval", str(run), "--checkpoint", step, "--n", "2000"]) == 0  # a step number, unpadded
        gaps.append(json.loads((run / "metrics.json").read_text())["mean_gap"])
    assert gaps[1] < 0.25 * gaps[0]
