"""The Python API: train, load_run, sample, evaluate and translate, each through the family's declarations."""

import pytest
import torch

import gankit
from gankit import api
from gankit.errors import GankitError
from tests.conftest import FAMILY_CONFIGS


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    return {family: api.train(FAMILY_CONFIGS[family](checkpoint_every=2, keep_checkpoints=0), out=out / family)
            for family in ("gan", "conditional", "cyclegan")}


def test_a_checkpoint_is_named_by_its_step_padded_or_not(runs):
    assert api.load_run(runs["gan"], "2").step == api.load_run(runs["gan"], "000002").step == 2
    assert api.load_run(runs["gan"], 4).step == 4
    with pytest.raises(GankitError, match="has no checkpoint '3'; use 'latest' or one of 000002, 000004"):
        api.load_run(runs["gan"], "3")


def test_sample_counts_default_per_family(runs):
    assert gankit.sample(runs["gan"]).shape[0] == 64
    x, y = gankit.sample(runs["conditional"], return_labels=True)
    assert len(x) == 80 and y.tolist() == sorted(y.tolist()) and set(y.tolist()) == set(range(10))  # 8 a class
    x, y = gankit.sample(runs["conditional"], labels="3,7", return_labels=True)
    assert len(x) == 16 and y.tolist() == [3] * 8 + [7] * 8
    with pytest.raises(GankitError, match="--label/--labels is for conditional and stargan runs"):
        gankit.sample(runs["gan"], labels="3")
    with pytest.raises(GankitError, match="'colour' is not an argument of gankit sample"):
        gankit.sample(runs["gan"], colour="red")


def test_evaluate_scores_without_writing_into_the_run(runs):
    result = gankit.evaluate(runs["conditional"], metrics="fid,gan_test", n=40)
    assert result["step"] == 4 and {"fid", "gan_test", "gan_test_per_class"} <= set(result)
    assert not (runs["conditional"] / "metrics.json").exists()
    assert gankit.evaluate(runs["conditional"], metrics=["fid"], n=40)["fid"] == result["fid"]
    with pytest.raises(GankitError, match="evaluation needs at least 2 samples"):
        gankit.evaluate(runs["gan"], n=1)


def test_translate_maps_images_with_the_familys_arguments(runs):
    run = api.load_run(runs["cyclegan"])
    images = torch.rand(3, *run.spec.shape) * 2 - 1
    ab, ba = gankit.translate(run, images), gankit.translate(run, images, direction="BtoA")
    assert ab.shape == ba.shape == images.shape and not torch.equal(ab, ba)
    assert torch.equal(ab, run.parts.net("G_AB").eval()(images).detach())
    with pytest.raises(GankitError, match="--direction sideways is not AtoB or BtoA"):
        gankit.translate(run, images, direction="sideways")
    with pytest.raises(GankitError, match=r"images are shaped \(1, 5, 5\) but the run translates"):
        gankit.translate(run, torch.zeros(1, 1, 5, 5))
    with pytest.raises(GankitError, match="gankit translate needs a run of pix2pix, cyclegan, stargan"):
        gankit.translate(runs["gan"], images)
