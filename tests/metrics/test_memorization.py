import pytest
import torch

from gankit.metrics import memorization_report, nearest_distances


def test_nearest_distances_match_brute_force_across_chunks():
    g = torch.Generator().manual_seed(0)
    queries, reference = torch.randn(50, 4, generator=g), torch.randn(80, 4, generator=g)
    dist, index = nearest_distances(queries, reference, chunk=7)
    full = torch.cdist(queries.double(), reference.double(), compute_mode="donot_use_mm_for_euclid_dist")
    assert torch.equal(index, full.argmin(1)) and torch.allclose(dist, full.min(1).values, atol=1e-12)


def test_copies_of_training_images_are_flagged():
    g = torch.Generator().manual_seed(1)
    train, test = torch.rand(300, 3, 8, 8, generator=g), torch.rand(100, 3, 8, 8, generator=g)
    picks = torch.tensor([5, 17, 42, 99, 250])
    report = memorization_report(train[picks], train, test, top=3)
    assert report["fake_median"] == 0.0 and report["suspicious_share"] == 1.0
    assert report["closest_distances"] == [0.0, 0.0, 0.0]
    assert all(picks[f] == t for f, t in zip(report["closest_fake"], report["closest_train"]))


def test_fresh_samples_look_like_held_out_data():
    g = torch.Generator().manual_seed(2)
    train, test, fake = (torch.randn(n, 5, generator=g) for n in (3000, 1000, 1000))
    report = memorization_report(fake, train, test)
    assert report["median_ratio"] == pytest.approx(1.0, abs=0.1)
    assert report["suspicious_share"] < 0.04  # ~0.01 by construction of the threshold
    assert len(report["closest_fake"]) == 8
