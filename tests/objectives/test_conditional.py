"""The conditional family's step: labels reach G and D, AC-GAN's class loss on logits, sampling by class."""

import math

import pytest
import torch

from gankit.config import from_dict
from gankit.data import ImageDataset
from gankit.errors import GankitError
from gankit.objectives import conditional, gan
from gankit.train.session import start_session


def session(cond="acgan", penalty="none", n_samples=8, **loss):
    cfg = from_dict({"objective": "conditional", "conditional": {"cond": cond},
                     "model": {"name": "dcgan", "z_dim": 4, "width": 4,
                               "d_norm": "layer" if penalty == "gp" else "batch"},
                     "loss": {"penalty": penalty, **loss},
                     "g_optim": {"name": "sgd", "lr": 0.1}, "d_optim": {"name": "sgd", "lr": 0.1},
                     "train": {"batch_size": 6, "n_samples": n_samples}})
    gen = torch.Generator().manual_seed(0)
    data = ImageDataset(torch.randint(0, 256, (30, 1, 8, 8), dtype=torch.uint8, generator=gen),
                        torch.arange(30) % 3, 3, "three", ("a", "b", "c"))
    return start_session(cfg, data, "cpu"), data


def test_class_loss_is_cross_entropy_on_logits_against_hand_computed_values():
    s, _ = session()
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    y = torch.tensor([0, 2])
    by_hand = 0.0
    for row, label in zip(logits.tolist(), y.tolist()):
        by_hand += -(row[label] - math.log(sum(math.exp(v) for v in row)))
    by_hand /= 2  # = 0.2209...: -log softmax of the true class, averaged
    assert conditional._class_loss(s.parts, logits, y).item() == pytest.approx(by_hand, rel=1e-6)
    twice = torch.nn.functional.cross_entropy(logits.softmax(1), y).item()  # the softmax-twice bug
    assert abs(twice - by_hand) > 0.2
    s.cfg.options.class_weight = 0.5
    assert conditional._class_loss(s.parts, logits, y).item() == pytest.approx(by_hand / 2, rel=1e-6)


@pytest.mark.parametrize("cond, penalty", [("acgan", "none"), ("projection", "gp"), ("concat", "r1")])
def test_d_loss_depends_on_the_labels_and_acgan_trains_both_class_heads(cond, penalty):
    s, data = session(cond, penalty)
    real = data.as_float(0, 6)
    y = data.labels[:6]
    labels = gan.Labels(draw=None, class_loss=conditional._class_loss)
    loss, stats = gan.d_loss(s.parts, real, s.t, s.nets["G"](torch.randn(6, 4), y), y, labels)
    other, _ = gan.d_loss(s.parts, real, s.t, s.nets["G"](torch.randn(6, 4), y), (y + 1) % 3, labels)
    assert torch.isfinite(loss) and not torch.isclose(loss, other)
    assert ("class_D" in stats) == (cond == "acgan")
    assert ("penalty" in stats) == (penalty != "none")
    s.nets["D"].zero_grad()
    loss.backward()
    if cond == "acgan":
        assert s.nets["D"].classes.weight.grad.abs().sum() > 0


def test_g_step_draws_labels_and_adds_the_class_loss_for_acgan():
    s, data = session("acgan")
    before = [p.detach().clone() for p in s.nets["G"].parameters()]
    stats = conditional.train_step(s.parts, data, s.t)
    assert {"loss_D", "loss_G", "class_D", "class_G", "D_class_accuracy"} <= set(stats)
    assert any(not torch.equal(a, b) for a, b in zip(before, s.nets["G"].parameters()))


def test_sampling_inputs_cover_the_classes_in_rows_and_the_preview_is_one_row_per_class():
    s, data = session("projection", n_samples=7)
    inputs = conditional.inputs(s.parts, 9, torch.Generator().manual_seed(0))
    assert inputs["y"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2] and inputs["z"].shape == (9, 4)
    chosen = conditional.inputs(s.parts, 2, torch.Generator(), labels=torch.tensor([2, 2]))
    assert chosen["y"].tolist() == [2, 2]
    preview = conditional.preview(s.parts, data)
    assert preview["kind"] == "grid" and preview["nrow"] == 2 and preview["images"].shape == (6, 1, 8, 8)


def test_unlabelled_data_is_one_sentence_naming_the_fix():
    cfg = from_dict({"objective": "conditional", "data": {"name": "gaussian1d"},
                     "model": {"name": "mlp", "g_hidden": [4], "d_hidden": [4], "g_out": "none", "z_dim": 1}})
    from gankit.data import load_dataset
    with pytest.raises(GankitError, match="needs labelled data.*has no labels.*objective=gan"):
        start_session(cfg, load_dataset(cfg.data), "cpu")
    unlabelled = ImageDataset(torch.zeros(4, 1, 8, 8, dtype=torch.uint8))
    with pytest.raises(GankitError, match="has no labels"):
        start_session(session()[0].cfg, unlabelled, "cpu")
