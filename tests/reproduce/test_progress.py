"""`gankit reproduce NAME --resume`: a reproduction stopped in the middle of a training continues from its
last checkpoint and ends with the numbers of one that never stopped, without training its finished parts again."""

import dataclasses
import json

import pytest

from gankit.data import load_dataset
from gankit.errors import GankitError
from gankit.reproduce import low_data, progress, reproduce, translation_common
from gankit.reproduce import report as report_module
from gankit.train.session import advance, start_session
from tests.conftest import tiny_mle_config


class Stop(Exception):
    """Stands for the machine going away."""


def stopping_at(n: int, calls: list):
    """advance, counting its calls into `calls`, that raises Stop on call n."""
    def step(s, data):
        calls.append(s.step)
        if len(calls) == n:
            raise Stop
        return advance(s, data)
    return step


def results(report) -> dict:
    found = json.loads((report.out_dir / "results.json").read_text())["results"]
    return {k: v for k, v in found.items() if "seconds" not in k}  # wall time differs, the numbers may not


@pytest.mark.parametrize("name, module, stop_at, only", [("seqgan", translation_common, 7, None),
                                                        ("low-data", low_data, 7, None),
                                                        ("low-data", low_data, 3, "dcgan.100.ada,dcgan.100.none")])
def test_a_stopped_reproduction_resumes_to_the_numbers_of_an_unstopped_one(tmp_path, monkeypatch, name, module,
                                                                            stop_at, only):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    every: list = []
    monkeypatch.setattr(module, "advance", stopping_at(-1, every))
    whole = results(reproduce(name, out=tmp_path / "whole", scale="tiny", only=only))
    monkeypatch.setattr(report_module, "SAVE_SECONDS", 0.0)  # a checkpoint after every step
    first: list = []
    monkeypatch.setattr(module, "advance", stopping_at(stop_at, first))
    with pytest.raises(Stop):
        reproduce(name, out=tmp_path / "stopped", scale="tiny", only=only)
    folder = progress.unfinished(tmp_path / "stopped", name)
    assert folder is not None and not (folder / "results.json").exists()
    second: list = []
    monkeypatch.setattr(module, "advance", stopping_at(-1, second))
    resumed = reproduce(name, out=tmp_path / "stopped", resume=True)
    assert resumed.out_dir == folder and resumed.scale == "tiny"
    assert resumed.only == (None if only is None else ["dcgan.100.none", "dcgan.100.ada"])  # as it started
    assert results(resumed) == whole
    assert second[0] == first[-1]  # the stopped training goes on from its step (the steps before are not redone)
    assert len(first) - 1 + len(second) == len(every)  # and none of the finished trainings ran again
    assert progress.unfinished(tmp_path / "stopped", name) is None  # finished now: nothing left to resume


def test_resume_refuses_what_it_cannot_continue(tmp_path, monkeypatch):
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    with pytest.raises(GankitError, match="no unfinished 'seqgan' reproduction"):
        reproduce("seqgan", out=tmp_path, resume=True)
    done = reproduce("fig1", out=tmp_path, scale="tiny")
    with pytest.raises(GankitError, match="is finished"):
        reproduce("fig1", out=tmp_path, resume=done.out_dir)
    with pytest.raises(GankitError, match="holds the 'fig1' reproduction"):
        reproduce("seqgan", out=tmp_path, resume=done.out_dir)
    (done.out_dir / "results.json").unlink()  # as if it had stopped
    with pytest.raises(GankitError, match="started with the scale tiny, not full"):
        reproduce("fig1", out=tmp_path, scale="full", resume=True)
    (done.out_dir / progress.MANIFEST).write_text("[1, 2]")
    with pytest.raises(GankitError, match="not a gankit reproduction manifest"):
        reproduce("fig1", out=tmp_path, resume=done.out_dir)
    with pytest.raises(GankitError, match="is not a folder"):
        reproduce("fig1", out=tmp_path, resume=tmp_path / "nowhere")


def test_a_keeper_refuses_a_checkpoint_of_other_settings(tmp_path):
    cfg = tiny_mle_config()
    data = load_dataset(cfg.data)
    keep = progress.Keeper(tmp_path / "mle", every=0.0)
    s = start_session(cfg, data, "cpu")
    advance(s, data)
    keep.save(s, {"curve": [[1, 2.0]]})
    again = start_session(cfg, data, "cpu")
    assert keep.restore(again) == {"curve": [[1, 2.0]]} and again.step == 1
    other = start_session(dataclasses.replace(cfg, g_optim=dataclasses.replace(cfg.g_optim, lr=0.5)), data, "cpu")
    with pytest.raises(GankitError, match="was trained with g_optim.lr=0.01 .*start a new reproduction"):
        keep.restore(other)
    assert progress.Keeper(None).restore(again) == {} and not progress.Keeper(None).due()


def test_what_a_watch_notes_midway_is_kept_with_the_checkpoints_and_read_back(tmp_path, monkeypatch):
    cfg = tiny_mle_config()
    seen: list = []

    def watch(s, notes):  # measures once, at step 2, as the StyleGAN2 reproduction scores at DCGAN's time
        seen.append(s.step)
        if s.step == 2:
            notes["midway"] = {"step": s.step, "value": 0.5}

    keep = progress.Keeper(tmp_path / "mle", every=0.0)  # a checkpoint after every step
    monkeypatch.setattr(translation_common, "advance", stopping_at(4, []))
    with pytest.raises(Stop):
        translation_common.train(cfg, steps=5, keep=keep, watch=watch, notes={})
    monkeypatch.setattr(translation_common, "advance", advance)
    notes: dict = {}
    s = translation_common.train(cfg, steps=5, keep=progress.Keeper(tmp_path / "mle"), watch=watch, notes=notes)
    assert s.step == 5 and seen == [1, 2, 3, 4, 5]  # steps 1-3 before the stop, 4-5 after it
    assert notes == {"midway": {"step": 2, "value": 0.5}}  # noted before the stop, read back after it
