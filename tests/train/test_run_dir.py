"""Run folders and stats.jsonl: numbering, the newest resumable run, and means over the steps that reported."""

import json

import pytest
import torch

from gankit.errors import GankitError
from gankit.train.run_dir import StatsLog, latest_run_dir, new_run_dir


def test_run_folders_are_numbered_and_never_reused(tmp_path):
    a, b = new_run_dir(tmp_path, "x"), new_run_dir(tmp_path, "y")
    assert (a.name, b.name) == ("00000-x", "00001-y")
    (tmp_path / "afile").write_text("")
    with pytest.raises(GankitError, match="is a file"):
        new_run_dir(tmp_path / "afile", "x")


def test_the_newest_run_with_a_checkpoint_is_the_one_resumed(tmp_path):
    good, failed = new_run_dir(tmp_path, "r"), new_run_dir(tmp_path, "r")
    (good / "checkpoints").mkdir()
    (good / "checkpoints" / "ckpt-000002.json").write_text("{}")
    assert failed.name == "00001-r" and latest_run_dir(tmp_path, "r") == good
    assert latest_run_dir(tmp_path, "other") is None and latest_run_dir(tmp_path / "none", "r") is None


def test_each_statistic_is_the_mean_over_the_steps_that_reported_it(tmp_path):
    log = StatsLog(tmp_path / "stats.jsonl", keep_until=0)
    log.accumulate({"loss": torch.tensor(1.0), "phase": torch.tensor(10.0)})
    log.accumulate({"loss": torch.tensor(3.0)})  # a step without the phase's statistic
    log.accumulate({"loss": torch.tensor(5.0), "phase": torch.tensor(20.0)})
    assert log.means() == {"loss": 3.0, "phase": 15.0}  # not 30 / 3 = 10
    assert log.means() == {}  # a new interval
    log.close()


def test_a_resumed_log_forgets_the_steps_after_its_checkpoint(tmp_path):
    path = tmp_path / "stats.jsonl"
    path.write_text("".join(json.dumps({"step": s}) + "\n" for s in (2, 4, 6)))
    log = StatsLog(path, keep_until=4)
    log.write({"step": 5})
    log.close()
    assert [json.loads(line)["step"] for line in path.read_text().splitlines()] == [2, 4, 5]
    path.write_text("[1]\n")
    with pytest.raises(GankitError, match="line 1 is damaged"):
        StatsLog(path, keep_until=0)
