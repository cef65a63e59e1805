"""Times the sides of a benchmark in turn, so that background load on a shared machine hits all alike."""

import time


def alternate(sides, reps):
    """Runs each callable of `sides` (name -> callable) `reps` times, the order reversed every
    other round. Returns (wall, cpu): name -> seconds per run, by wall clock and by this
    process's CPU time (which other programs disturb far less)."""
    wall = {name: [] for name in sides}
    cpu = {name: [] for name in sides}
    order = list(sides.items())
    for rep in range(reps):
        for name, fn in order if rep % 2 == 0 else order[::-1]:
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - start_wall)
            cpu[name].append(time.process_time() - start_cpu)
    return wall, cpu
