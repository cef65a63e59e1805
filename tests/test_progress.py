"""Tests of lesson5.progress: the switch for progress bars."""

from lesson5.progress import progress_enabled


def test_progress_is_on_unless_turned_off(monkeypatch):
    monkeypatch.delenv("LESSON5_PROGRESS", raising=False)
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    assert progress_enabled()
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    assert not progress_enabled()
