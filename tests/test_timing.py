import pytest

from lesson5 import timing
from lesson5.timing import median_seconds


def test_median_of_the_runs_ignores_an_interrupted_one(monkeypatch):
    # Each run's start and end from a fake clock: runs of 1, 9 (interrupted) and 2 seconds.
    ticks = iter([0.0, 1.0, 10.0, 19.0, 20.0, 22.0])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(ticks))
    calls = []
    assert median_seconds(lambda: calls.append(1), repeats=3) == 2.0
    assert len(calls) == 3


def test_at_least_one_run_is_asked_for():
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        median_seconds(lambda: None, repeats=0)
    assert median_seconds(lambda: None, repeats=1) >= 0  # one run is enough


def test_of_an_even_number_of_runs_the_faster_middle_one_counts(monkeypatch):
    # Runs of 1 and 9 seconds: the slower is the one an interruption may have lengthened.
    ticks = iter([0.0, 1.0, 10.0, 19.0])
    monkeypatch.setattr(timing.time, "perf_counter", lambda: next(ticks))
    assert median_seconds(lambda: None, repeats=2) == 1.0
