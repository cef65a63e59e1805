"""Times the sides of a benchmark in turn, so that background load on a shared machine hits all alike."""

import time


def in_turn(sides, rounds):
    """Each (name, side) of the dict `sides`, round after round, the order reversed every other
    round: a side that ran first in one round runs last in the next, so neither a drift of the
    machine's load nor what the previous side left in the caches favours one side."""
    order = list(sides.items())
    for round_ in range(rounds):
        yield from order if round_ % 2 == 0 else order[::-1]


def alternate(sides, reps):
    """Runs each callable of `sides` (name -> callable) `reps` times, `in_turn`. Returns (wall,
    cpu): name -> seconds per run, by wall clock and by this process's CPU time (which other
    programs disturb far less)."""
    wall = {name: [] for name in sides}
    cpu = {name: [] for name in sides}
    for name, fn in in_turn(sides, reps):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall[name].append(time.perf_counter() - start_wall)
        cpu[name].append(time.process_time() - start_cpu)
    return wall, cpu
