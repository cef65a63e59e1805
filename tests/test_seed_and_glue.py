import numpy as np
import torch

from lesson5 import glue, seed_everything
from lesson5.glue import _Text


def draws():
    import random

    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_repeats_every_generator():
    seed_everything(7)
    first = draws()
    seed_everything(7)
    assert draws() == first
    seed_everything(8)
    assert draws() != first


def test_seed_everything_fixes_threads_and_turns_off_onednn(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", True)
    threads = torch.get_num_threads()
    try:
        seed_everything(threads=2)
        assert torch.get_num_threads() == 2
        assert torch.backends.mkldnn.enabled is False
    finally:
        torch.set_num_threads(threads)


def test_glue_formats_before_gluing(monkeypatch):
    glued = {}
    monkeypatch.setattr("myst_nb.glue", lambda name, obj, display: glued.update({name: (obj, display)}))
    assert glue("acc", np.float32(0.96251), "{:.1%}") == "96.3%"
    assert glue("n", torch.tensor(8000), "{:,}") == "8,000"
    obj, display = glued["acc"]
    assert repr(obj) == "96.3%" and display is False
    assert isinstance(obj, _Text)
