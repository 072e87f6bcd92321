"""train.augment inside the gan and conditional families' steps: only the intended networks move, resume is bit
for bit (ADA's p included), p follows D's confidence, and it is logged and plotted."""

import copy
import json

import pytest
import torch

from gankit import api
from gankit.data import load_dataset
from gankit.train.session import advance, start_session
from tests.conftest import FAMILY_CONFIGS, assert_resume_bit_exact

CASES = [(family, kind) for family in ("gan", "conditional") for kind in ("diffaug", "ada")]


def config(family, kind, **train):
    cfg = FAMILY_CONFIGS[family](**train)
    cfg.train.augment = kind
    return cfg


@pytest.mark.parametrize("family,kind", CASES)
def test_one_augmented_step_changes_exactly_the_trained_networks(family, kind):
    cfg = config(family, kind)
    data = load_dataset(cfg.data)
    s = start_session(cfg, data, "cpu")
    before = {name: copy.deepcopy(net.state_dict()) for name, net in s.nets.items()}
    stats = advance(s, data)
    for name, net in s.nets.items():  # G, D and G's EMA copy all move
        assert any(not torch.equal(before[name][k], v) for k, v in net.state_dict().items()), name
    assert ("augment_p" in stats) == (kind == "ada")
    assert "augment" in s.t.generators  # its own stream, saved with the others


@pytest.mark.parametrize("family,kind", CASES)
def test_n_augmented_steps_then_resume_then_n_equals_2n_bit_for_bit(tmp_path, family, kind):
    final = assert_resume_bit_exact(tmp_path, lambda **train: config(family, kind, **train), steps=2)
    assert "rng.augment" in final and "augment.p" in final


def test_augmentation_changes_what_d_sees_and_so_the_training():
    plain, augmented = config("gan", "none"), config("gan", "diffaug")
    results = []
    for cfg in (plain, augmented):
        data = load_dataset(cfg.data)
        s = start_session(cfg, data, "cpu")
        advance(s, data)
        results.append(s.nets["D"].state_dict())
    assert any(not torch.equal(results[0][k], results[1][k]) for k in results[0])


def test_ada_p_rises_while_d_is_sure_of_the_real_images_and_is_logged(tmp_path, capsys):
    # a target of 0.01: any D that is right on more than about half of the real images pushes p up every step
    cfg = config("gan", "ada", steps=8, log_every=2)
    cfg.train.ada_target, cfg.train.ada_kimg = 0.01, 0.1
    run = api.train(cfg, out=tmp_path)
    records = [json.loads(line) for line in (run / "stats.jsonl").read_text().splitlines()]
    assert all("augment_p" in r and "augment_rt" in r for r in records)
    assert records[-1]["augment_p"] > 0
    assert "ADA's augmentation probability p is" in capsys.readouterr().err  # said at the end of the run
    high = config("gan", "ada", steps=4)
    high.train.ada_target = 0.999  # r_t never exceeds it: p stays at 0
    run = api.train(high, out=tmp_path / "high")
    last = json.loads((run / "stats.jsonl").read_text().splitlines()[-1])
    assert last["augment_p"] == 0.0 and last["augment_rt"] < 0.999
