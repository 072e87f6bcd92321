"""`gankit export` of every family: ONNX (checked and run with onnxruntime where installed) and TorchScript give
PyTorch's samples at another batch size than the one exported; safetensors comes back through
gankit.load_generator; text runs say in one sentence why they have no ONNX / TorchScript network; nothing is
overwritten."""

import json

import pytest
import torch

import gankit
from gankit.cli import main
from gankit.errors import GankitError
from tests.conftest import FAMILY_CONFIGS

TEXT = {"mle", "seqgan", "gumbel"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One tiny trained run per family."""
    out = tmp_path_factory.mktemp("runs")
    return {family: gankit.train(make(steps=2), out=out / family) for family, make in FAMILY_CONFIGS.items()}


def batch_of_three(example: dict) -> dict:
    """The family's example inputs (batch 2) grown to 3 rows, noise redrawn: a batch the export never saw."""
    gen = torch.Generator().manual_seed(5)
    out = {}
    for name, x in example.items():
        x = torch.cat([x, x[:1]])
        out[name] = torch.randn(x.shape, generator=gen) if name == "z" else x + 0.1 * torch.randn(
            x.shape, generator=gen) if name == "x" else x
    return out


@pytest.mark.parametrize("family", sorted(set(FAMILY_CONFIGS) - TEXT))
def test_onnx_and_torchscript_give_pytorchs_samples(runs, family, tmp_path):
    run = gankit.load_run(runs[family])
    exported = run.family.export(run.parts)
    inputs = batch_of_three(exported.inputs)
    with torch.no_grad():
        want = exported.net.eval()(*inputs.values())
    script = gankit.export_run(runs[family], "torchscript", out=tmp_path / "g.pt")
    assert torch.allclose(torch.jit.load(str(script))(*inputs.values()), want, atol=1e-5)
    pytest.importorskip("onnx")
    onnx_path = gankit.export_run(runs[family], "onnx", out=tmp_path / "g.onnx")
    meta = json.loads((tmp_path / "g.onnx.json").read_text())
    assert [i["name"] for i in meta["inputs"]] == list(inputs) and meta["opset"] == 17
    assert meta["output"]["shape"][0] == "batch" and meta["output"]["range"] == [-1, 1]
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(str(onnx_path))
    got = session.run(None, {name: x.numpy() for name, x in inputs.items()})[0]
    assert got.shape == tuple(want.shape)
    assert torch.allclose(torch.from_numpy(got), want, atol=1e-4)


@pytest.mark.parametrize("family", sorted(FAMILY_CONFIGS))
def test_safetensors_come_back_through_load_generator(runs, family, tmp_path):
    run = gankit.load_run(runs[family])
    path = gankit.export_run(runs[family], "safetensors", out=tmp_path / "g.safetensors")
    before = torch.get_rng_state()
    G = gankit.load_generator(path)
    assert torch.equal(torch.get_rng_state(), before)  # loading leaves the caller's generator alone
    for (name, a), (_, b) in zip(G.state_dict().items(), run.G.state_dict().items()):
        assert torch.equal(a, b), name
    if family in TEXT:
        assert json.loads((tmp_path / "g.safetensors.json").read_text())["vocab"] == list(run.spec.vocab)
        assert G.sample(3, torch.Generator().manual_seed(0)).shape == (3, run.spec.shape[0])


@pytest.mark.parametrize("family", sorted(TEXT))
def test_text_runs_say_why_they_have_no_onnx_network(runs, family, tmp_path):
    with pytest.raises(GankitError, match="token by token"):
        gankit.export_run(runs[family], "onnx", out=tmp_path / "g.onnx")
    assert not list(tmp_path.iterdir())


def test_cyclegan_exports_either_direction_and_nothing_is_overwritten(runs, tmp_path, capsys):
    run = runs["cyclegan"]
    argv = ["export", str(run), "--format", "torchscript", "--direction", "BtoA", "--out", str(tmp_path / "ba.pt")]
    assert main(argv) == 0
    assert json.loads((tmp_path / "ba.pt.json").read_text())["direction"] == "BtoA"
    before = (tmp_path / "ba.pt").read_bytes()
    assert main(["export", str(run), "--format", "torchscript", "--out", str(tmp_path / "ba.pt")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "ba.pt").read_bytes() == before


def test_load_generator_of_a_damaged_export_is_one_sentence(runs, tmp_path):
    path = gankit.export_run(runs["gan"], "safetensors", out=tmp_path / "g.safetensors")
    (tmp_path / "g.safetensors.json").write_text("{not json")
    with pytest.raises(GankitError, match="is not a generator gankit exported"):
        gankit.load_generator(path)
    with pytest.raises(GankitError, match="what `gankit export --format safetensors` writes"):
        gankit.load_generator(tmp_path / "missing.safetensors")
