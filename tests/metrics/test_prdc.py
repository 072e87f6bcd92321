import pytest
import torch

from gankit.errors import GankitError
from gankit.metrics import density_coverage, knn_radii, precision_recall


def clusters(centres, per, generator, spread=0.1):
    """`per` points around each centre, clusters far apart relative to their spread."""
    return torch.cat([c + spread * torch.randn(per, centres.shape[1], generator=generator) for c in centres])


CENTRES = 10.0 * torch.tensor([[i, j] for i in range(5) for j in range(2)], dtype=torch.float64)


def test_knn_radius_excludes_the_point_itself():
    x = torch.tensor([[0.0], [1.0], [3.0], [7.0]])
    assert knn_radii(x.double(), k=1).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert knn_radii(x.double(), k=2).tolist() == [3.0, 2.0, 3.0, 6.0]


def test_identical_sets_score_perfectly():
    real = clusters(CENTRES, 40, torch.Generator().manual_seed(0))
    pr, dc = precision_recall(real, real.clone()), density_coverage(real, real.clone())
    assert pr == {"precision": 1.0, "recall": 1.0}
    assert dc["coverage"] == 1.0
    # Open balls hold themselves plus k - 1 neighbours, so identical sets give density k / k;
    # only rounding-level ties at the k-th neighbour (d(a, b) vs d(b, a)) can add a count or two.
    assert dc["density"] == pytest.approx(1.0, abs=0.01)


def test_far_away_fakes_score_zero():
    g = torch.Generator().manual_seed(1)
    real, fake = clusters(CENTRES, 40, g), clusters(CENTRES + 1000.0, 40, g)
    assert precision_recall(real, fake) == {"precision": 0.0, "recall": 0.0}
    assert density_coverage(real, fake) == {"density": 0.0, "coverage": 0.0}


def test_fakes_on_half_the_clusters_give_half_recall_and_coverage():
    g = torch.Generator().manual_seed(2)
    real, fake = clusters(CENTRES, 100, g), clusters(CENTRES[:5], 200, g)
    pr, dc = precision_recall(real, fake), density_coverage(real, fake)
    # Fakes sit on real clusters, so nearly all land in the real manifold; a few stray past the
    # k-NN balls at a cluster's rim (about 5% with k = 3 in 2-D), hence 0.9 rather than 1.
    assert pr["precision"] > 0.9 and dc["density"] > 0.8
    assert pr["recall"] == pytest.approx(0.5, abs=0.03) and dc["coverage"] == pytest.approx(0.5, abs=0.03)


def test_chunking_does_not_change_the_answer():
    g = torch.Generator().manual_seed(3)
    real, fake = clusters(CENTRES, 30, g), clusters(CENTRES, 25, g, spread=0.2)
    assert precision_recall(real, fake, chunk=32) == precision_recall(real, fake, chunk=10000)
    assert density_coverage(real, fake, chunk=32) == density_coverage(real, fake, chunk=10000)


def test_k_must_fit_the_sets():
    with pytest.raises(GankitError):
        precision_recall(torch.zeros(3, 2), torch.zeros(10, 2), k=3)
