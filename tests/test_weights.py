"""Tests for lesson5.weights (book/07_transfer.ipynb)."""

import hashlib
import os
import pickle
import threading
import time

import pytest
import torch
from torch import nn

from lesson5 import weights
from lesson5.weights import load_weights, save_weights


def _model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_save_and_load_round_trip(tmp_path):
    src, dst = _model(0), _model(1)
    digest = save_weights(src, tmp_path / "w.pt")
    assert digest == hashlib.sha256((tmp_path / "w.pt").read_bytes()).hexdigest()
    assert (tmp_path / "w.pt.sha256").read_text().strip() == digest
    load_weights(dst, tmp_path / "w.pt")
    for a, b in zip(src.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_a_save_makes_its_folder_and_a_consistent_load_does_not_wait(tmp_path, monkeypatch):
    def no_sleep(seconds):
        raise AssertionError(f"a load of a saved pair waited {seconds} s")

    path = tmp_path / "new" / "folder" / "w.pt"
    save_weights(_model(0), path)
    monkeypatch.setattr(weights.time, "sleep", no_sleep)
    load_weights(_model(1), path)


@pytest.mark.skipif(os.name == "nt", reason="Windows does not replace a file another handle holds open")
def test_a_save_replaces_the_file_and_never_rewrites_it_in_place(tmp_path):
    # A reader that opened the old file reads it whole: the new one is renamed into place.
    path = tmp_path / "w.pt"
    save_weights(_model(0), path)
    old = path.read_bytes()
    with open(path, "rb") as reader:
        save_weights(_model(1), path)
        assert reader.read() == old
    assert path.read_bytes() != old


def test_changed_file_is_refused(tmp_path):
    save_weights(_model(), tmp_path / "w.pt")
    with open(tmp_path / "w.pt", "ab") as f:
        f.write(b"tampered")
    with pytest.raises(ValueError, match="expected"):
        load_weights(_model(), tmp_path / "w.pt")


def test_missing_checksum_is_refused(tmp_path):
    torch.save(_model().state_dict(), tmp_path / "w.pt")
    with pytest.raises(FileNotFoundError, match="sha256"):
        load_weights(_model(), tmp_path / "w.pt")


class _NotWeights:
    pass


def test_pickled_objects_are_refused_even_with_right_checksum(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"x": _NotWeights()}, path)
    with pytest.raises(pickle.UnpicklingError, match=f"{path} holds more than tensors"):
        load_weights(_model(), path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())


def test_concurrent_saves_and_loads_never_see_a_partial_file(tmp_path):
    # Four threads each save the same weights and load them back, 25 times, on one path.
    model, path = _model(), tmp_path / "w.pt"
    errors = []

    def save_then_load():
        for _ in range(25):
            try:
                save_weights(model, path)
                load_weights(_model(1), path)
            except Exception as error:  # noqa: BLE001 -- counted and shown below
                errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=save_then_load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.pt", "w.pt.sha256"]


def test_load_parses_the_bytes_it_hashed(tmp_path, monkeypatch):
    # Another writer replaces the file just after its hash is computed: what is loaded must
    # still be what was hashed.
    path = tmp_path / "w.pt"
    src = _model(0)
    save_weights(src, path)
    other = tmp_path / "other.pt"
    torch.save(_model(2).state_dict(), other)
    real_sha256 = hashlib.sha256

    def sha256_then_swap(*args):
        if other.exists():
            os.replace(other, path)
        return real_sha256(*args)

    monkeypatch.setattr(hashlib, "sha256", sha256_then_swap)
    dst = load_weights(_model(1), path)
    assert not other.exists(), "the swap never ran: load_weights hashed without hashlib.sha256"
    for a, b in zip(src.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_unwritable_destination_names_the_file_and_what_to_do(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    path = tmp_path / "a-file" / "w.pt"
    with pytest.raises(OSError, match=f"Could not save weights to {path} .*choose a folder you can write to"):
        save_weights(_model(), path)


def _half_saved(module, path):
    """What a reader sees between save_weights' two renames: `module`'s weights beside the
    old sidecar. Returns a function that completes the save (renames the sidecar in)."""
    save_weights(module, path.with_name("new.pt"))
    os.replace(path.with_name("new.pt"), path)
    return lambda: os.replace(path.with_name("new.pt.sha256"), f"{path}.sha256")


def test_load_waits_for_a_save_in_progress(tmp_path, monkeypatch):
    # The load reads the new file with the old sidecar; the save finishes while it waits.
    path, new = tmp_path / "w.pt", _model(2)
    save_weights(_model(0), path)
    finish_save = _half_saved(new, path)
    waits = []
    monkeypatch.setattr(time, "sleep", lambda s: (waits.append(s), finish_save()))
    dst = load_weights(_model(1), path)
    assert len(waits) == 1
    for a, b in zip(new.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_load_rereads_a_file_replaced_while_it_waited(tmp_path, monkeypatch):
    # While the load waits, another complete save replaces both files: the bytes in hand match
    # neither hash, so the file is read and hashed again, and the newest weights are loaded.
    path, middle, newest = tmp_path / "w.pt", _model(2), _model(3)
    save_weights(_model(0), path)
    _half_saved(middle, path)
    monkeypatch.setattr(time, "sleep", lambda s: save_weights(newest, path))
    dst = load_weights(_model(1), path)
    for a, b in zip(newest.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_a_changed_file_is_refused_after_a_bounded_wait(tmp_path, monkeypatch):
    path = tmp_path / "w.pt"
    save_weights(_model(), path)
    with open(path, "ab") as f:
        f.write(b"tampered")
    waits = []
    monkeypatch.setattr(time, "sleep", waits.append)
    with pytest.raises(ValueError, match="the file changed"):
        load_weights(_model(), path)
    assert 1 < len(waits) and sum(waits) < 1
    # An explicit hash is not the sidecar, so there is no save to wait for.
    waits.clear()
    with pytest.raises(ValueError, match="not the .* passed as sha256: check which file, or which hash"):
        load_weights(_model(), path, sha256=hashlib.sha256(b"other").hexdigest())
    assert waits == []


def test_a_hash_passed_as_other_tools_print_it_is_read_as_the_same_hash(tmp_path):
    # Windows' Get-FileHash prints capitals, and a hash read from a file keeps its line's end:
    # the file was blamed for changing.
    path = tmp_path / "w.pt"
    digest = save_weights(_model(), path)
    load_weights(_model(), path, sha256=digest.upper())
    load_weights(_model(), path, sha256=f" {digest}\n")


@pytest.mark.parametrize("sha256", ["", "abc", "g" * 64, "0" * 65])
def test_a_hash_passed_that_is_no_sha256_is_refused_as_such(tmp_path, sha256):
    path = tmp_path / "w.pt"
    save_weights(_model(), path)
    with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
        load_weights(_model(), path, sha256=sha256)


def test_load_waits_for_the_sidecar_of_a_first_save(tmp_path, monkeypatch):
    # The very first save has renamed its weights into place but not yet its sidecar.
    path, new = tmp_path / "w.pt", _model(2)
    finish_save = _half_saved(new, path)
    monkeypatch.setattr(time, "sleep", lambda s: finish_save())
    dst = load_weights(_model(1), path)
    for a, b in zip(new.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_a_first_save_puts_its_weights_in_place_before_their_sidecar(tmp_path, monkeypatch):
    # A real save, paused between its two renames while a load runs: the load finds the weights
    # and waits for the sidecar. Were the sidecar renamed first, the load would find no weights.
    path, new = tmp_path / "w.pt", _model(2)
    first_in_place, resume = threading.Event(), threading.Event()
    write = weights.write_atomically

    def write_then_pause(target, data):
        write(target, data)
        if not first_in_place.is_set():
            first_in_place.set()
            resume.wait(timeout=30)

    monkeypatch.setattr(weights, "write_atomically", write_then_pause)
    saver = threading.Thread(target=save_weights, args=(new, path))
    saver.start()
    try:
        assert first_in_place.wait(timeout=30)
        monkeypatch.setattr(time, "sleep", lambda s: (resume.set(), saver.join(timeout=30)))
        dst = load_weights(_model(1), path)
    finally:
        resume.set()
        saver.join(timeout=30)
    for a, b in zip(new.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


def test_a_sidecar_that_never_appears_is_reported_missing_after_a_bounded_wait(tmp_path, monkeypatch):
    torch.save(_model().state_dict(), tmp_path / "w.pt")
    waits = []
    monkeypatch.setattr(time, "sleep", waits.append)
    with pytest.raises(FileNotFoundError, match="w.pt.sha256 is missing"):
        load_weights(_model(), tmp_path / "w.pt")
    assert 1 < len(waits) and sum(waits) < 1
