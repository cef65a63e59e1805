"""How many chapters run at once: one per CPU this process may use, as many as the memory
holds. A container's CPU set or `taskset` narrows the CPUs below what os.cpu_count() reports
for the whole host, and so does a CPU quota (a container started with --cpus, a systemd
unit's CPUQuota): a chapter per core beyond the quota would only take turns. A chapter's
kernel and the process driving it take up to 1.25 GiB (CHAPTER_BYTES), so a laptop with many cores and
little free memory runs fewer at once rather than swap. The build (scripts/execute.py), nbval
(scripts/test.sh) and the benchmark run `jobs()` chapters at once; the execution report
(_ext/build_machine.py) names the `usable()` CPUs."""

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
MEMINFO = Path("/proc/meminfo")
# The most memory one chapter takes, rounded up: 07_transfer.ipynb's kernel peaked at 0.94 GB,
# the other chapters' at 0.44 to 0.81 GB (GNU time's %M, 2026-12-06), and the process driving
# a kernel (an nbval worker, the build's) holds 0.07 to 0.08 GB more with its imports alone.
CHAPTER_BYTES = 5 << 28  # 1.25 GiB


def _own_cgroups(proc_cgroup):
    """(controller folder, path) of this process's cgroups that can hold a CPU quota or (v2) a
    memory limit: the unified hierarchy's (cgroup v2, "0::/path") and the v1 hierarchy
    holding `cpu`."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return [("", "/")]
    found = []
    for line in lines:
        hierarchy, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if hierarchy == "0" and not controllers:
            found.append(("", path))
        elif "cpu" in controllers.split(","):
            found.append((controllers, path))
    return found or [("", "/")]


def _read_quota(folder):
    """The CPUs the quota in `folder` allows (rounded up), or None where none is set or
    readable: cgroup v2's cpu.max ("max 100000" or "150000 100000"), v1's CFS files."""
    try:
        quota, period = (folder / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        try:
            quota = (folder / "cpu.cfs_quota_us").read_text().strip()
            period = (folder / "cpu.cfs_period_us").read_text().strip()
        except OSError:
            return None
    try:
        quota, period = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    if quota <= 0 or period <= 0:  # v1 writes -1 for no quota
        return None
    return max(1, math.ceil(quota / period))


def _levels(cgroup, proc_cgroup):
    """(controllers, folder) for each of this process's cgroups and their ancestors, up to the
    mount ("" for cgroup v2's). A container with its own cgroup namespace sees its cgroup as
    "/", the mount's top."""
    for controllers, path in _own_cgroups(proc_cgroup):
        mount = cgroup / controllers if controllers else cgroup
        if controllers and not mount.is_dir():
            mount = cgroup / "cpu"  # "cpu,cpuacct" is often linked as cpu/
        folder = mount.joinpath(*Path(path).parts[1:])
        for level in [folder, *folder.parents]:
            yield controllers, level
            if level == mount:
                break


def _quota(cgroup=CGROUP, proc_cgroup=PROC_CGROUP):
    """The tightest CPU quota on this process's cgroups and their ancestors, or None."""
    quotas = [_read_quota(level) for _, level in _levels(cgroup, proc_cgroup)]
    return min(filter(None, quotas), default=None)


def usable(cgroup=CGROUP, proc_cgroup=PROC_CGROUP):
    """The number of CPUs this process may run on, within its cgroups' CPU quotas."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        cpus = os.cpu_count() or 1
    quota = _quota(cgroup, proc_cgroup)
    return min(cpus, quota) if quota else cpus


def _field(path, name):
    """The number after `name` on its line of `path` (/proc/meminfo's "MemAvailable:", a
    cgroup's memory.stat "inactive_file"), or None where the file or the line is missing."""
    try:
        for line in path.read_text().splitlines():
            if line.split(maxsplit=1)[:1] == [name]:
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def _read_room(folder):
    """The room left under the cgroup v2 memory limit in `folder`: memory.max less the working
    set (memory.current without the inactive file cache, which the kernel drops first), or
    None where no limit is set or readable."""
    try:
        limit = (folder / "memory.max").read_text().strip()
        if limit == "max":
            return None
        current = int((folder / "memory.current").read_text())
        return int(limit) - (current - (_field(folder / "memory.stat", "inactive_file") or 0))
    except (OSError, ValueError):
        return None


def _cgroup_room(cgroup, proc_cgroup):
    """The least room left under a cgroup v2 memory limit on this process's cgroup and its
    ancestors, or None where none is set: a container limited to less memory than the host's
    sees the host's in /proc/meminfo."""
    rooms = [_read_room(level) for controllers, level in _levels(cgroup, proc_cgroup) if not controllers]
    return min((room for room in rooms if room is not None), default=None)


def available_bytes(cgroup=CGROUP, proc_cgroup=PROC_CGROUP, meminfo=None):
    """The memory new work can have without swapping: Linux's MemAvailable, or less under a
    container's limit; where the system does not say (macOS, which has no /proc/meminfo), half
    the physical memory; None where even that is unknown (Windows)."""
    free = _field(meminfo or MEMINFO, "MemAvailable:")
    if free is not None:
        free *= 1024  # /proc/meminfo counts in kB
    else:
        try:
            free = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
        except (AttributeError, ValueError, OSError):
            return None
    room = _cgroup_room(cgroup, proc_cgroup)
    return free if room is None else min(free, room)


def jobs(cgroup=CGROUP, proc_cgroup=PROC_CGROUP, meminfo=None):
    """How many chapters run at once: one per usable CPU, no more than the available memory
    holds at CHAPTER_BYTES each, and at least one."""
    cpus = usable(cgroup, proc_cgroup)
    free = available_bytes(cgroup, proc_cgroup, meminfo)
    return cpus if free is None else max(1, min(cpus, free // CHAPTER_BYTES))


if __name__ == "__main__":
    # For shell scripts: `python scripts/cores.py` prints how many chapters run at once.
    print(jobs())
