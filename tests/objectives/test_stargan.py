"""StarGAN: domain vectors, the classification loss, targets from the command line, and its reconstruction
metric checked by hand on attributes (each attribute flipped, then flipped back)."""

import math
import types

import pytest
import torch

from gankit.config import from_dict
from gankit.data import ImageDataset, to_float
from gankit.errors import GankitError
from gankit.metrics.translation import l1_distance
from gankit.objectives import stargan
from gankit.train.session import start_session

NAMES = ("Black_Hair", "Male", "Smiling")


def session(multi: bool):
    cfg = from_dict({"objective": "stargan", "data": {"name": "attributes" if multi else "footwear"},
                     "model": {"name": "stargan", "width": 4, "g_blocks": 1},
                     "loss": {"name": "wasserstein", "penalty": "gp"}, "train": {"batch_size": 4, "n_samples": 4}})
    gen = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (8, 1, 8, 8), dtype=torch.uint8, generator=gen)
    labels = torch.randint(0, 2, (8, 3), generator=gen).float() if multi else torch.arange(8) % 3
    data = ImageDataset(images, labels, 3, "t", NAMES if multi else ("sandal", "sneaker", "ankle boot"),
                        multi_label=multi)
    return start_session(cfg, data, "cpu"), data


def test_domain_vectors_are_one_hot_or_the_attributes_themselves():
    s, _ = session(multi=False)
    assert stargan.domain_vector(s.parts, torch.tensor([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    m, _ = session(multi=True)
    attrs = torch.tensor([[1.0, 0.0, 1.0]])
    assert torch.equal(stargan.domain_vector(m.parts, attrs), attrs)


def test_attribute_loss_is_the_summed_bce_over_the_batch_by_hand():
    m, _ = session(multi=True)
    logits, y = torch.tensor([[2.0, -1.0, 0.0]]), torch.tensor([[1.0, 0.0, 1.0]])
    by_hand = -(math.log(1 / (1 + math.exp(-2))) + math.log(1 - 1 / (1 + math.exp(1))) + math.log(0.5))
    assert stargan.class_loss(m.parts, logits, y).item() == pytest.approx(by_hand, rel=1e-6)


def test_reconstruction_flips_each_attribute_and_back_by_hand():
    m, data = session(multi=True)
    test = types.SimpleNamespace(images=data.images, labels=data.labels)
    out = stargan.score(m.parts, test, 8, judge=None)
    G, x = m.parts.net("G"), to_float(data.images)
    for k in range(3):
        flipped = data.labels.clone()
        flipped[:, k] = 1 - flipped[:, k]  # only attribute k changes
        assert torch.equal((flipped != data.labels).sum(0), torch.eye(3)[k].long() * 8)
        with torch.no_grad():
            G.eval()
            back = G(G(x, flipped), data.labels)
        assert out["reconstruction_per_class"][k] == pytest.approx(l1_distance(back, x), abs=1e-6)
    assert out["reconstruction"] == pytest.approx(sum(out["reconstruction_per_class"]) / 3)
    assert "accuracy" not in out  # no classifier reads attributes


def test_targets_by_name_or_attribute_pairs_and_their_refusals():
    s, _ = session(multi=False)
    assert stargan.target_vector(s.parts, "ankle boot", 2)["y"].tolist() == [2, 2]
    with pytest.raises(GankitError, match="names several domains"):
        stargan.target_vector(s.parts, "0,1", 2)
    m, _ = session(multi=True)
    c = stargan.target_vector(m.parts, "Male=1,Smiling=0", 1)["c"]
    assert c.tolist() == [[0.0, 1.0, 0.0]]
    with pytest.raises(GankitError, match="is not NAME=0 or NAME=1"):
        stargan.target_vector(m.parts, "Bald=1", 1)
    with pytest.raises(GankitError, match="needs --target"):
        stargan.inputs(m.parts, None, torch.Generator(), images=torch.zeros(1, 1, 8, 8))


def test_probe_inputs_into_chosen_domains_flip_that_attribute_of_their_own():
    m, _ = session(multi=True)
    inputs = stargan.inputs(m.parts, 4, torch.Generator().manual_seed(0), labels="Male")
    assert inputs["y"].tolist() == [1, 1, 1, 1] and inputs["c"].shape == (4, 3)
    s, _ = session(multi=False)
    assert stargan.inputs(s.parts, 4, torch.Generator().manual_seed(0), labels="0,2")["y"].tolist() == [0, 0, 2, 2]
