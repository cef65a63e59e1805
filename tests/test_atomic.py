import os

import pytest

from lesson5.atomic import SUFFIX, temp_beside, temp_name, write_atomically


def test_a_temporary_name_is_hidden_unique_and_beside_the_file(tmp_path):
    target = tmp_path / "weights.pt"
    first, second = temp_name(target), temp_name(target)
    assert first != second and first.parent == second.parent == tmp_path
    assert first.name.startswith(".weights.pt.") and first.name.endswith(SUFFIX)


def test_a_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new" and os.listdir(tmp_path) == ["data.bin"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        write_atomically(target, "text, not bytes")
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["data.bin"]


def test_a_temporary_file_not_renamed_into_place_is_removed(tmp_path):
    with pytest.raises(RuntimeError), temp_beside(tmp_path / "archive.gz") as temp:
        temp.write_bytes(b"half a download")
        raise RuntimeError("the download failed")
    assert os.listdir(tmp_path) == []
    with temp_beside(tmp_path / "never-made.gz"):
        pass
    assert os.listdir(tmp_path) == []


def test_a_reader_who_opened_the_old_file_reads_it_whole_after_the_write(tmp_path):
    # The new bytes go to a new file renamed over the old name: one already open keeps reading
    # the old file, where writing into the old file in place would change it under the reader.
    target = tmp_path / "data.bin"
    target.write_bytes(b"old contents")
    with open(target, "rb") as reader:
        write_atomically(target, b"new")
        assert reader.read() == b"old contents"
    assert target.read_bytes() == b"new"
