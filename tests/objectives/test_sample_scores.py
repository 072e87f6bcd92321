"""What gan and conditional runs are scored on, by kind of data."""

from gankit.data import DataSpec
from gankit.objectives import sample_scores as scores

IMAGES, RING, LINE = DataSpec("image", (1, 8, 8), 10), DataSpec("toy", (2,), 8), DataSpec("toy", (1,))


def test_groups_and_defaults_follow_the_data_and_the_labels():
    assert "intra_fid" in scores.groups(IMAGES, labelled=True) and "intra_fid" not in scores.groups(IMAGES, False)
    assert set(scores.groups(RING, True)) == {"w1", "modes"}
    assert scores.defaults(IMAGES, True)[-2:] == ("intra_fid", "gan_test") and "cas" not in scores.defaults(IMAGES, True)
    assert scores.defaults(LINE, False) == ("w1",) and scores.defaults(RING, False) == ("modes",)


def test_the_best_checkpoint_metric_is_one_each_default_group_reports():
    for spec in (IMAGES, RING, LINE):
        best = scores.best(None, spec)
        groups = scores.groups(spec, labelled=False)
        assert any(best in groups[g] for g in scores.defaults(spec, False))
    assert {"fid", "w1", "intra_fid"} <= scores.LOWER_IS_BETTER and "modes_reached" not in scores.LOWER_IS_BETTER
