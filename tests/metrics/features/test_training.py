import pytest
import torch

from gankit.config import DataConfig
from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.metrics.features.training import (
    accuracy, dataset_hash, predictions, random_shift, steps_for, train_classifier,
)


@pytest.fixture(scope="module")
def digits():
    return load_dataset(DataConfig(name="digits", split="train")), load_dataset(DataConfig(name="digits", split="test"))


def test_random_shift_moves_content_and_fills_with_background():
    x = torch.full((64, 1, 5, 5), -1.0)
    x[:, 0, 2, 2] = 1.0  # one bright pixel in the middle
    shifted = random_shift(x, 1, torch.Generator().manual_seed(0))
    assert shifted.shape == x.shape
    assert torch.all((shifted == 1.0).sum(dim=(1, 2, 3)) == 1)  # the pixel stays inside: nothing else lights up
    where = (shifted[:, 0] == 1.0).nonzero()[:, 1:]
    assert where.min() >= 1 and where.max() <= 3 and len(torch.unique(where, dim=0)) > 1
    assert random_shift(x, 0, torch.Generator()) is x


def test_steps_for_counts_batches_per_epoch():
    assert steps_for(1000, 1, 128) == 8
    assert steps_for(1000, 2.5, 100) == 25
    assert steps_for(10, 0.01, 100) == 1


def test_training_is_a_function_of_data_settings_and_seed(digits):
    train, test = digits
    before = torch.get_rng_state()
    a = train_classifier(train.images, train.labels, steps=30, batch_size=64, shift=1, seed=3)
    assert torch.equal(torch.get_rng_state(), before)  # the global random state is left as it was
    torch.manual_seed(123)  # the caller's global seed does not matter
    b = train_classifier(train.images, train.labels, steps=30, batch_size=64, shift=1, seed=3)
    c = train_classifier(train.images, train.labels, steps=30, batch_size=64, shift=1, seed=4)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert not torch.equal(a.head.weight, c.head.weight)
    assert not a.training
    # Float images in [-1, 1] train exactly as the uint8 images they came from.
    d = train_classifier(train.as_float(), train.labels, steps=30, batch_size=64, shift=1, seed=3)
    assert torch.equal(a.head.weight, d.head.weight)
    # A short budget already learns far above chance (10%).
    assert accuracy(a, test.images, test.labels) > 0.6


def test_accuracy_counts_correct_predictions(digits):
    _, test = digits
    model = train_classifier(test.images, test.labels, steps=2, batch_size=64, shift=0)
    pred = predictions(model, test.images)
    assert pred.shape == (len(test),)
    assert accuracy(model, test.images, pred) == 1.0
    assert accuracy(model, test.images, (pred + 1) % 10) == 0.0


def test_dataset_hash_sees_images_and_labels(digits):
    train, _ = digits
    h = dataset_hash(train.images, train.labels)
    assert h == dataset_hash(train.images.clone(), train.labels.clone())
    assert h != dataset_hash(train.images, train.labels.flip(0))


@pytest.mark.parametrize("images,labels,match", [
    (torch.zeros(4, 3, 8, 8), torch.zeros(4, dtype=torch.int64), "grey square images"),
    (torch.zeros(4, 1, 8, 8), torch.zeros(3, dtype=torch.int64), "one integer label per image"),
    (torch.zeros(4, 1, 8, 8), torch.zeros(4), "one integer label per image"),
    (torch.zeros(4, 1, 8, 8), torch.tensor([0, 1, 2, 10]), "outside the 10 classes"),
])
def test_bad_training_data_is_one_clear_error(images, labels, match):
    with pytest.raises(GankitError, match=match):
        train_classifier(images, labels, steps=1)


def test_float_images_outside_minus_1_to_1_are_clipped_as_their_pictures_would_be():
    from gankit.metrics.features.training import as_float

    x = torch.tensor([[-3.0, -1.0, 0.25, 1.0, 7.5]])
    assert torch.equal(as_float(x), torch.tensor([[-1.0, -1.0, 0.25, 1.0, 1.0]]))
