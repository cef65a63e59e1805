"""Tests for lesson5.weights (book/07_transfer.ipynb)."""

import pickle

import pytest
import torch
from torch import nn

from lesson5.weights import load_weights, save_weights, sha256_of


def _model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))


def test_save_and_load_round_trip(tmp_path):
    src, dst = _model(0), _model(1)
    digest = save_weights(src, tmp_path / "w.pt")
    assert digest == sha256_of(tmp_path / "w.pt")
    assert (tmp_path / "w.pt.sha256").read_text().strip() == digest
    load_weights(dst, tmp_path / "w.pt")
    for a, b in zip(src.state_dict().values(), dst.state_dict().values()):
        assert torch.equal(a, b)


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
    with pytest.raises(pickle.UnpicklingError):
        load_weights(_model(), path, sha256=sha256_of(path))
