"""How many chapters run at once: one per CPU this process may use. A container's CPU set or
`taskset` narrows that below what os.cpu_count() reports for the whole host. The build
(scripts/execute.py), nbval (scripts/test.sh), the benchmark and the execution report's core
count (_ext/build_machine.py) all ask here. A CPU quota without a CPU set (some containers) is
not seen."""

import os


def usable():
    """The number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


if __name__ == "__main__":
    # For shell scripts: `python scripts/cores.py` prints the count.
    print(usable())
