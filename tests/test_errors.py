"""Operating-system refusals (read-only folders, a full disk) are one sentence naming the path and the fix."""

import errno
import os
import pathlib
import shutil

import pytest

from gankit.cli import main
from gankit.errors import os_error_sentence
from tests.test_bad_inputs import snapshot
from tests.conftest import tiny_image_config


@pytest.mark.parametrize("code, words", [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only"),
                                         (errno.ENOSPC, "disk is full"), (errno.EDQUOT, "quota")])
def test_each_refusal_names_the_path_and_a_fix(code, words):
    sentence = os_error_sentence(OSError(code, os.strerror(code), "/data/runs"))
    assert sentence.startswith("cannot use /data/runs: ") and words in sentence and sentence.endswith(".")
    assert "\n" not in sentence


def test_an_unknown_refusal_keeps_the_systems_reason():
    sentence = os_error_sentence(OSError(errno.EIO, "Input/output error", "/x"))
    assert sentence.startswith("cannot use /x: input/output error;")


def read_only(monkeypatch, root: pathlib.Path, folders: bool = True):
    """Every file (and folder, if `folders`) created under root is refused as on a read-only mount: root, the
    user tests run as here, ignores chmod."""
    import tempfile
    real_mkdir, real_mkstemp = pathlib.Path.mkdir, tempfile.mkstemp

    def under_root(path) -> bool:
        path = pathlib.Path(path).absolute()
        return path == root or root in path.parents

    def refuse(path):
        raise PermissionError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    def mkdir(self, *args, **kwargs):
        if folders and under_root(self) and not self.exists():
            refuse(self)
        return real_mkdir(self, *args, **kwargs)

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and under_root(dir):
            refuse(dir)
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(pathlib.Path, "mkdir", mkdir)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("out_exists, folders", [(False, True), (True, True), (True, False)],
                         ids=["out missing", "out read-only", "files refused"])
def test_training_into_a_read_only_folder_is_one_sentence(tmp_path, monkeypatch, capsys, out_exists, folders):
    out = tmp_path / "ro" / "runs"
    out.mkdir(parents=True) if out_exists else (tmp_path / "ro").mkdir()
    read_only(monkeypatch, tmp_path / "ro", folders)
    code = main(["train", "dcgan_digits", "--out", str(out), "--set", "train.steps=1", "train.progress=false"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "read-only" in err.lower() and str(tmp_path / "ro") in err, err
    if folders:  # nothing could be made there
        assert not [p for p in (tmp_path / "ro").rglob("*") if p.is_file()]


def test_a_full_disk_at_a_checkpoint_keeps_the_run_as_it_was(tmp_path, monkeypatch, capsys):
    from gankit import api
    run = api.train(tiny_image_config(steps=2, checkpoint_every=1), out=tmp_path / "run")
    before = {p: h for p, h in snapshot(run).items() if p.suffix in (".safetensors", ".json")}

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    code = main(["train", str(run / "config.yaml"), "--resume", str(run), "--set", "train.steps=4"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "disk is full" in err
    after = snapshot(run)
    assert all(after.get(p) == h for p, h in before.items()), "a checkpoint or its record changed"
    assert not [p for p in run.rglob("*.tmp")], "a half-written file was left behind"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_real_read_only_folder(tmp_path, capsys):
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro").chmod(0o500)
    try:
        code = main(["train", "dcgan_digits", "--out", str(tmp_path / "ro" / "runs"), "--set", "train.steps=1"])
    finally:
        (tmp_path / "ro").chmod(0o700)
    err = capsys.readouterr().err.strip()
    assert code == 2 and "permission denied" in err and "Traceback" not in err, err
    shutil.rmtree(tmp_path / "ro")
