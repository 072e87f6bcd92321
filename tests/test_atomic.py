import pytest

from gankit.atomic import atomic_write


def test_writes_file_and_creates_parents(tmp_path):
    target = tmp_path / "a" / "b" / "out.bin"
    result = atomic_write(target, lambda handle: handle.write(b"hello"))
    assert result == target
    assert target.read_bytes() == b"hello"
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]


def test_failure_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def broken(handle):
        handle.write(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
