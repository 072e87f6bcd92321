"""What the translation families' scores share: the Fashion-MNIST classifier as judge, and the scorer that
reads the test split once and says when no classifier fits the data."""

import types

import torch

from gankit.metrics.evaluate_translation import NO_CLASSIFIER, Judge, translation_scorer
from gankit.objectives import EvalRequest
from tests.conftest import FAMILY_CONFIGS


class FakeJudge(Judge):
    """A judge whose 'classifier' reads the class from the first pixel, and whose features are the pixels."""

    def __init__(self):
        pass

    def read(self, images):
        classes = ((images[:, 0, 0, 0] + 1) * 4.5).round().long().clamp(0, 9)
        return images.flatten(1).double(), torch.nn.functional.one_hot(classes, 10).double()


def image_of(cls: int, n: int) -> torch.Tensor:
    x = torch.randn(n, 1, 4, 4) * 0.1
    x[:, 0, 0, 0] = cls / 4.5 - 1
    return x


def test_accuracy_is_the_share_read_as_intended_beside_the_ceiling_and_the_floor():
    judge = FakeJudge()
    fake = torch.cat([image_of(3, 3), image_of(5, 1)])  # 3 of 4 read as class 3
    real, inputs = image_of(3, 4), image_of(0, 4)
    scores = judge.scores(fake, real, inputs, torch.full((4,), 3), torch.full((4,), 3))
    assert scores["accuracy"] == 0.75 and scores["accuracy_real"] == 1.0 and scores["accuracy_input"] == 0.0
    assert scores["fid"] is not None and scores["fid"] > 0
    assert judge.scores(fake[:1], real[:1], None, torch.full((1,), 3), torch.full((1,), 3))["fid"] is None


def test_the_scorer_reads_the_test_split_once_and_notes_data_without_a_classifier(monkeypatch):
    cfg = FAMILY_CONFIGS["pix2pix"]()
    cfg.data.name = "paired_folder"  # not a Fashion-MNIST task: no judge
    loads = []
    monkeypatch.setattr("gankit.metrics.evaluate_translation.load_dataset",
                        lambda data_cfg: loads.append(data_cfg) or types.SimpleNamespace(n=3))
    parts = types.SimpleNamespace(cfg=cfg)
    calls = []
    score = translation_scorer(parts, EvalRequest(("translation",), n=5),
                               lambda p, test, n, judge: calls.append((test.n, n, judge)) or {"l1": 0.5})
    assert score() == {"l1": 0.5, "note": NO_CLASSIFIER} and score()["l1"] == 0.5
    assert len(loads) == 1 and loads[0].split == "test" and loads[0].limit is None and not loads[0].jitter
    assert calls == [(3, 5, None), (3, 5, None)]
