"""How many chapters run at once: one per CPU this process may use. A container's CPU set or
`taskset` narrows that below what os.cpu_count() reports for the whole host, and so does a
CPU quota (a container started with --cpus, for one): a chapter per core beyond the quota
would only take turns. The build (scripts/execute.py), nbval (scripts/test.sh), the benchmark
and the execution report's core count (_ext/build_machine.py) all ask here."""

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def _quota(cgroup):
    """The CPUs a cgroup quota allows (rounded up), or None where no quota is set or none can
    be read: cgroup v2's cpu.max ("max 100000" or "150000 100000"), else v1's CFS files."""
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:
            quota = (cgroup / "cpu" / "cpu.cfs_quota_us").read_text().strip()
            period = (cgroup / "cpu" / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    try:
        quota, period = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if quota <= 0 or period <= 0:  # v1 writes -1 for no quota
        return None
    return max(1, math.ceil(quota / period))


def usable(cgroup=CGROUP):
    """The number of CPUs this process may run on, within its cgroup's CPU quota."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cpus = os.cpu_count() or 1
    quota = _quota(cgroup)
    return min(cpus, quota) if quota else cpus


if __name__ == "__main__":
    # For shell scripts: `python scripts/cores.py` prints the count.
    print(usable())
