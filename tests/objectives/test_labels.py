"""Class labels as users give them: an index, a name, a part of a name, a comma list."""

import pytest
import torch

from gankit.data import DataSpec
from gankit.errors import GankitError
from gankit.objectives.labels import balanced_labels, class_indices, shared_labels

SPEC = DataSpec("image", (1, 8, 8), 3, ("T-shirt/top", "sneaker", "ankle boot"))


def test_indices_names_and_unambiguous_parts_of_names():
    assert class_indices(SPEC, "1") == [1]
    assert class_indices(SPEC, "Sneaker") == [1]
    assert class_indices(SPEC, "top,boot") == [0, 2]
    assert class_indices(SPEC, [2, "0"]) == [2, 0]
    assert class_indices(SPEC, torch.tensor([1])) == [1]


@pytest.mark.parametrize("bad", ["3", "-1", "bag", "o"])
def test_a_label_that_is_no_class_is_one_sentence_listing_them(bad):
    with pytest.raises(GankitError, match=r"is not one of this run's 3 classes; .*0 T-shirt/top, 1 sneaker"):
        class_indices(SPEC, bad)


def test_labels_are_shared_equally_in_the_order_given():
    assert balanced_labels(6, 3).tolist() == [0, 0, 1, 1, 2, 2]
    assert shared_labels(SPEC, "2,0", 4).tolist() == [2, 2, 0, 0]
