"""Tests of lesson5.progress: the switch for what is shown to a person watching."""

import IPython

from lesson5.progress import in_notebook, progress_enabled


def test_progress_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("LESSON5_PROGRESS", raising=False)
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    assert not progress_enabled()


def test_in_notebook_asks_ipython_for_its_shell(monkeypatch):
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not in_notebook()
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    assert in_notebook()
