import json

import pytest
import torch
from safetensors.torch import load_file

from gankit import api
from gankit.errors import GankitError
from gankit.train import checkpoint as ckpt
from tests.conftest import tiny_image_config, tiny_toy_config


def lines(run_dir):
    return [json.loads(line) for line in (run_dir / "stats.jsonl").read_text().splitlines()]


def test_toy_metric_is_logged_and_the_best_checkpoint_kept(tmp_path):
    run = api.train(tiny_toy_config(steps=6, eval_every=2, eval_n=256), out=tmp_path)
    values = [(r["step"], r["metrics/w1"]) for r in lines(run) if "metrics/w1" in r]
    assert [step for step, _ in values] == [2, 4, 6] and all(v > 0 for _, v in values)
    best_step, best_value = min(values, key=lambda sv: sv[1])
    meta = json.loads((run / "checkpoints" / "best.json").read_text())
    assert meta["step"] == best_step and meta["extra"]["best"]["value"] == pytest.approx(best_value)
    assert api.load_run(run, "best").step == best_step
    # The regular checkpoints never prune the best one.
    assert (run / "checkpoints" / meta["tensors"]).exists() and meta["tensors"] == f"best-{best_step:06d}.safetensors"


def test_image_runs_track_fid_with_the_domain_classifier(tmp_path):
    run = api.train(tiny_image_config(steps=2, eval_every=1, eval_n=64), out=tmp_path,
                    overrides=["data.resolution=null"])
    fids = [r["metrics/fid"] for r in lines(run) if "metrics/fid" in r]
    assert len(fids) == 2 and all(f > 0 for f in fids)


def test_resume_stays_bit_exact_with_evaluation(tmp_path):
    make = lambda steps: tiny_toy_config(steps=steps, checkpoint_every=3, eval_every=2, eval_n=128)
    straight = api.train(make(6), out=tmp_path / "a")
    half = api.train(make(3), out=tmp_path / "b")
    api.train("x", out=tmp_path / "b", overrides=["train.steps=6"], resume=half)
    a = load_file(str(ckpt.list_checkpoints(straight / "checkpoints")[-1].with_suffix(".safetensors")))
    b = load_file(str(ckpt.list_checkpoints(half / "checkpoints")[-1].with_suffix(".safetensors")))
    assert all(torch.equal(a[k], b[k]) for k in a)
    resumed = {r["step"]: r["metrics/w1"] for r in lines(half) if "metrics/w1" in r}
    for r in lines(straight):
        if "metrics/w1" in r:  # the resumed run also scored its last step before the break
            assert resumed[r["step"]] == r["metrics/w1"]


def test_a_higher_is_better_metric_keeps_the_highest(tmp_path):
    run = api.train(tiny_image_config(steps=3, eval_every=1, eval_n=64, eval_metric="coverage"), out=tmp_path,
                    overrides=["data.resolution=null"])
    values = {r["step"]: r["metrics/coverage"] for r in lines(run) if "metrics/coverage" in r}
    assert all("metrics/density" in r for r in lines(run) if "metrics/coverage" in r)  # its group is logged whole
    best = json.loads((run / "checkpoints" / "best.json").read_text())["extra"]["best"]
    assert best["value"] == max(values.values()) and values[best["step"]] == best["value"]


def test_a_metric_that_does_not_apply_is_refused(tmp_path):
    with pytest.raises(GankitError, match="'fid' does not apply to this objective=gan run on data.name=gaussian1d; "
                                          "use auto or one of w1, kl, js, modes_reached"):
        api.train(tiny_toy_config(eval_every=2, eval_metric="fid"), out=tmp_path)


@pytest.mark.parametrize("metric, keep", [("gan_test", max), ("intra_fid", min)])
def test_a_conditional_run_can_track_a_per_class_metric(tmp_path, metric, keep):
    from tests.conftest import tiny_conditional_config
    run = api.train(tiny_conditional_config(steps=3, eval_every=1, eval_n=100, eval_metric=metric), out=tmp_path)
    values = {r["step"]: r[f"metrics/{metric}"] for r in lines(run) if f"metrics/{metric}" in r}
    assert len(values) == 3 and all(v >= 0 for v in values.values())
    best = json.loads((run / "checkpoints" / "best.json").read_text())["extra"]["best"]
    assert best["value"] == keep(values.values())


def test_a_per_class_metric_needs_a_conditional_run(tmp_path):
    with pytest.raises(GankitError, match="'gan_test' does not apply to this objective=gan run"):
        api.train(tiny_image_config(eval_every=2, eval_metric="gan_test"), out=tmp_path,
                  overrides=["data.resolution=8"])
