"""Timing a step on a shared machine: the median of several runs.

Introduced in book/02_from_scratch.ipynb (how much slower `Value` is than `lesson5.layers`);
book/07_transfer.ipynb times its frozen steps and its searches with it. A chapter's timings
depend on the machine, so the cells that print them are tagged `nbval-ignore-output`.
"""

import time


def median_seconds(f, repeats=15):
    """The median wall-clock time of `repeats` calls of `f()`: the median shrugs off other
    processes' interruptions, which only ever lengthen a run (of an even number of runs, the
    faster middle one)."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[(repeats - 1) // 2]
