import json

import pytest
import torch

from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt


def test_optimizer_round_trip_through_flat_tensors():
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    tensors = {}
    meta = ckpt.optimizer_to_flat("opt", opt, tensors)
    json.dumps(meta)  # the non-tensor part is plain JSON
    fresh = torch.optim.Adam(model.parameters(), lr=0.5)
    fresh.load_state_dict(ckpt.optimizer_from_flat("opt", json.loads(json.dumps(meta)), tensors))
    a, b = opt.state_dict(), fresh.state_dict()
    assert a["param_groups"][0]["lr"] == b["param_groups"][0]["lr"] == 0.01
    for pid in a["state"]:
        for key, value in a["state"][pid].items():
            assert torch.equal(value, b["state"][pid][key])


def test_save_list_load_prune(tmp_path):
    folder = tmp_path / "checkpoints"
    for step in (1, 2, 3):
        ckpt.save_checkpoint(folder, step, {"w": torch.full((2,), float(step))}, {"note": step})
    assert [p.name for p in ckpt.list_checkpoints(folder)] == ["ckpt-000001.json", "ckpt-000002.json",
                                                                "ckpt-000003.json"]
    tensors, meta = ckpt.load_checkpoint(ckpt.list_checkpoints(folder)[-1])
    assert meta["step"] == 3 and meta["note"] == 3 and torch.equal(tensors["w"], torch.full((2,), 3.0))
    ckpt.prune_checkpoints(folder, keep=2)
    assert sorted(p.name for p in folder.iterdir()) == ["ckpt-000002.json", "ckpt-000002.safetensors",
                                                        "ckpt-000003.json", "ckpt-000003.safetensors"]
    assert not list(folder.glob("*.tmp"))


def test_a_checkpoint_without_its_json_is_not_listed(tmp_path):
    folder = tmp_path / "c"
    ckpt.save_checkpoint(folder, 5, {"w": torch.zeros(1)}, {})
    (folder / "ckpt-000005.json").unlink()
    assert ckpt.list_checkpoints(folder) == []


def test_damaged_checkpoints_are_clear_errors(tmp_path):
    folder = tmp_path / "c"
    path = ckpt.save_checkpoint(folder, 1, {"w": torch.zeros(1)}, {})
    (folder / "ckpt-000001.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(GankitError, match="missing or damaged"):
        ckpt.load_checkpoint(path)
    path.write_text("{not json")
    with pytest.raises(GankitError, match="unreadable or damaged"):
        ckpt.load_checkpoint(path)
    path.write_text(json.dumps({"format": "other"}))
    with pytest.raises(GankitError, match="not a gankit checkpoint"):
        ckpt.load_checkpoint(path)


def test_checkpoint_code_never_unpickles():
    import inspect
    source = inspect.getsource(ckpt)
    assert "pickle" not in source.replace("Nothing is pickled and nothing is unpickled", "")
    assert "torch.load" not in source


def test_a_gankit_01_checkpoint_resumes_bit_exact(tmp_path):
    # gankit 0.1 wrote opt_G / opt_D and fixed_z at the top level and kept no stream table.
    import json

    from gankit import api
    from safetensors.torch import load_file, save_file
    from tests.conftest import tiny_toy_config

    straight = api.train(tiny_toy_config(steps=6, checkpoint_every=3), out=tmp_path / "a")
    half = api.train(tiny_toy_config(steps=3, checkpoint_every=3), out=tmp_path / "b")
    json_path = ckpt.list_checkpoints(half / "checkpoints")[-1]
    meta, tensors = json.loads(json_path.read_text()), load_file(str(json_path.with_suffix(".safetensors")))
    tensors["fixed_z"] = tensors.pop("buffer.probe_z")
    meta["opt_G"], meta["opt_D"] = meta["optimizers"].pop("G"), meta["optimizers"].pop("D")
    del meta["optimizers"], meta["context"], meta["spec"]
    meta["shape"] = [1]
    save_file(tensors, str(json_path.with_suffix(".safetensors")))
    json_path.write_text(json.dumps(meta))
    assert api.sample(api.load_run(half), 4).shape == (4, 1)
    api.train("x", out=tmp_path / "b", overrides=["train.steps=6"], resume=half)
    a = load_file(str(ckpt.list_checkpoints(straight / "checkpoints")[-1].with_suffix(".safetensors")))
    b = load_file(str(ckpt.list_checkpoints(half / "checkpoints")[-1].with_suffix(".safetensors")))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_the_best_checkpoint_switches_atomically_and_keeps_one_tensor_file(tmp_path):
    from gankit.train.checkpoint import load_checkpoint, save_checkpoint

    folder = tmp_path / "checkpoints"
    for step in (2, 4):
        save_checkpoint(folder, step, {"w": torch.full((2,), float(step))}, {"config": {}}, stem="best")
    tensors, meta = load_checkpoint(folder / "best.json")
    assert meta["step"] == 4 and tensors["w"][0] == 4
    assert sorted(p.name for p in folder.iterdir()) == ["best-000004.safetensors", "best.json"]


def test_a_damaged_newest_checkpoint_falls_back_to_the_one_before(tmp_path, capsys):
    from gankit import api
    from gankit.cli import main
    from tests.conftest import tiny_image_config

    run_dir = api.train(tiny_image_config(steps=4, checkpoint_every=2, keep_checkpoints=0), out=tmp_path)
    (run_dir / "checkpoints" / "ckpt-000004.safetensors").write_bytes(b"cut")
    assert api.load_run(run_dir).step == 2
    assert "skipping a damaged checkpoint, ckpt-000004.json" in capsys.readouterr().err
    assert main(["train", "ignored", "--resume", str(run_dir), "--set", "train.steps=6"]) == 0
    assert "resuming from ckpt-000002.json" in capsys.readouterr().err
