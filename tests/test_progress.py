"""Tests of lesson5.progress: the switch for what is shown to a person watching."""

import IPython

from lesson5.progress import in_notebook, progress_enabled, stored_run


def test_progress_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("LESSON5_PROGRESS", raising=False)
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    assert not progress_enabled()
    # Only "0" turns it off, as the docstring says: any other value leaves it on.
    monkeypatch.setenv("LESSON5_PROGRESS", "true")
    assert progress_enabled()


def test_a_stored_run_is_one_with_progress_turned_off(monkeypatch):
    # The build and nbval set LESSON5_PROGRESS=0; a person's run does not.
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    assert stored_run()
    monkeypatch.delenv("LESSON5_PROGRESS")
    assert not stored_run()


def test_in_notebook_asks_ipython_for_its_shell(monkeypatch):
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not in_notebook()
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    assert in_notebook()
