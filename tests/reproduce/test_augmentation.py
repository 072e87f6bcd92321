import json

import pytest
import torch

from gankit.data import ImageDataset
from gankit.errors import GankitError
from gankit.reproduce import reproduce
from gankit.reproduce.augmentation import ARMS, per_class_subset


def test_per_class_subset_takes_k_of_each_class_and_changes_with_the_seed():
    data = ImageDataset(torch.arange(60, dtype=torch.uint8).view(60, 1, 1, 1).expand(60, 1, 2, 2).contiguous(),
                        torch.arange(60) % 3, 3)
    a, b = per_class_subset(data, 4, 0), per_class_subset(data, 4, 1)
    assert a.labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    assert all(int(img[0, 0, 0]) % 3 == label for img, label in zip(a.images, a.labels.tolist()))
    assert not torch.equal(a.images, b.images) and torch.equal(a.images, per_class_subset(data, 4, 0).images)
    with pytest.raises(GankitError, match="fewer than k=21"):
        per_class_subset(data, 21, 0)


def test_augmentation_tiny_trains_the_five_classifiers_for_every_k_with_a_plain_and_an_ada_gan(tmp_path):
    report = reproduce("augmentation", out=tmp_path, scale="tiny")
    results = json.loads((report.out_dir / "results.json").read_text())["results"]
    for k in (2, 4):
        (run,) = results[f"k{k}"]
        assert set(ARMS) <= set(run) and {"gan_seconds", "gan_seconds (ADA GAN)"} <= set(run)
        assert all(0.0 <= run[arm] <= 1.0 for arm in ARMS)
    assert (report.out_dir / "accuracy_vs_k.png").stat().st_size > 0
    text = (report.out_dir / "report.md").read_text()
    assert "k where real + generated beat real alone" in text
    assert "k where real + generated (ADA GAN) beat real alone" in text
