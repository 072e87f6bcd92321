"""A training session: Parts built from the seed with their data spec and EMA copies, the step context's
example count, and checkpoints of older gankit versions (flat family keys, no example count) that still resume
bit for bit."""

import dataclasses
import json

import pytest
import torch
import yaml
from safetensors.torch import load_file

from gankit import api
from gankit.config import from_dict
from gankit.data import load_dataset
from gankit.objectives import OBJECTIVES
from gankit.train import checkpoint as ckpt
from gankit.train.session import advance, build_parts, start_session
from tests.conftest import FAMILY_CONFIGS


def test_parts_know_their_data_spec_and_get_their_ema_copies():
    cfg = FAMILY_CONFIGS["cyclegan"](ema=0.9)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    assert s.parts.spec == s.spec and s.spec.kind == "unpaired"
    assert {"G_AB_ema", "G_BA_ema"} <= set(s.nets) and s.parts.net("G_BA") is s.nets["G_BA_ema"]
    no_ema = build_parts(FAMILY_CONFIGS["cyclegan"](), s.spec)
    assert "G_AB_ema" not in no_ema.nets and no_ema.spec == s.spec


def test_the_context_counts_the_examples_each_step_draws():
    cfg = FAMILY_CONFIGS["stargan"]()  # n_critic=2: two batches a step
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    advance(s, data)
    advance(s, data)
    assert s.t.examples == 2 * 2 * cfg.train.batch_size


def old_layout(tree: dict) -> dict:
    """A config tree as gankit 0.3 wrote it: every family key flat in its old section, at its value or default."""
    tree = {k: (dict(v) if isinstance(v, dict) else v) for k, v in tree.items()}
    own = tree.pop(tree["objective"], {})
    for objective, family in OBJECTIVES.items():
        for f in dataclasses.fields(family.options) if family.options else ():
            if f.metadata["renamed_from"] is None:  # a key that was never flat
                continue
            section, key = f.metadata["renamed_from"].split(".")
            if objective == tree["objective"] or key not in tree[section]:
                tree[section][key] = own[f.name] if objective == tree["objective"] else f.default
    return tree


@pytest.mark.parametrize("family", ["cyclegan", "conditional"])
def test_a_run_of_gankit_03_with_flat_family_keys_loads_and_resumes_bit_for_bit(tmp_path, family, capsys):
    make = FAMILY_CONFIGS[family]
    straight = api.train(make(steps=4, checkpoint_every=2), out=tmp_path / "a")
    half = api.train(make(steps=2, checkpoint_every=2), out=tmp_path / "b")
    config = yaml.safe_load((half / "config.yaml").read_text())
    old = old_layout(config)
    assert family not in old and ("pool_size" in old["train"]) and ("cond" in old["model"])
    (half / "config.yaml").write_text(yaml.safe_dump(old, sort_keys=False))
    for path in ckpt.list_checkpoints(half / "checkpoints"):
        meta = json.loads(path.read_text())
        meta["config"] = old
        del meta["context"]["examples"]  # gankit 0.3 did not count them
        path.write_text(json.dumps(meta))
    assert api.load_run(half).cfg.options == from_dict(config).options  # read under the new names
    api.train("x", out=tmp_path / "b", overrides=["train.steps=4"], resume=half)
    a = load_file(str(ckpt.list_checkpoints(straight / "checkpoints")[-1].with_suffix(".safetensors")))
    b = load_file(str(ckpt.list_checkpoints(half / "checkpoints")[-1].with_suffix(".safetensors")))
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    seen = [json.loads(line)["examples_seen"] for line in (half / "stats.jsonl").read_text().splitlines()]
    cfg = make()
    assert seen[-1] == 4 * cfg.train.batch_size * cfg.train.n_critic  # Algorithm 1's count carried on
    assert family in (half / "config.yaml").read_text()  # written back in today's layout
