"""Build and test performance of the whole book: cold build, unchanged rebuild, nbval, the
test command, and each chapter's execution time and peak memory, against the budgets of
issue 21 (a 2-core CPU), each beside the serial run it replaces.

    python benchmarks/bench_build.py [--root .] [--output DIR] [--skip-build] [--skip-nbval]
                                     [--skip-chapters] [--test-command] [--install]

1. Cold build, serial: `jupyter-book build` (warnings as errors, as in CI) into a fresh
   output folder (a temporary one unless --output is given, never the repository's _build),
   so the execution cache is empty and every chapter runs, one after another (the baseline).
   Cold build, parallel: what scripts/build.sh does, `scripts/execute.py` (one chapter per
   core, as memory allows) into another fresh output's cache, then the same build. The ratio is printed.
   Budget for the parallel build: 75 s on a 2-core CPU.
2. Unchanged rebuild: the same command again; the execution cache and Sphinx's environment
   mean nothing is executed or re-read. Budget: 30 s.
3. nbval on every chapter, as scripts/test.sh runs it, one chapter after another (the
   baseline) and one per core as memory allows (pytest-xdist, --dist loadfile). The ratio is printed.
4. With --test-command: `bash scripts/test.sh` on the warm environment. Budget: 180 s.
   Beside each of its steps' wall time, the machine's busy CPU time while the step ran
   (every core's, from Linux's /proc/stat, so other load on the machine counts too), with
   the unit tests and JupyterLab's check counted where they overlap. The busy total divided
   by the core count is the least time that much work can take on this machine however it
   is overlapped: when that is over the budget, only less work can meet it.
5. Each chapter (a notebook in _toc.yml) on its own: executed in a fresh `python3` kernel
   with nbclient, from the chapter's folder as the build does, with one extra cell appended
   in memory that reports the kernel's CPU time and peak resident memory (getrusage's
   ru_maxrss, for the kernel and any processes it waited for). Budgets: 30 s, 2 GiB. The
   chapter's time in the cold build, as recorded by the build's execution cache, is shown
   beside it. With one torch thread, CPU time is the chapter's work: other load on the
   machine disturbs it far less than the wall time.

6. With --install: a fresh environment from requirements.txt, two ways, each in a temporary
   folder. The baseline is what scripts/setup.sh did before: a virtual environment, pip's
   install, which compiles every module to bytecode one file at a time, and the kernel spec.
   Against it, scripts/setup.sh itself, run in a clone of the last commit: pip without
   compiling, then compileall on every core. Each runs twice (baseline, setup.sh, setup.sh,
   baseline) and the means are compared. Both should leave the same bytecode files, which
   are counted. Part of issue 21's fresh-clone budget of the test command (5 minutes).

Timings depend on the machine and on what else runs on it; run it on an idle machine.
"""

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from nbclient import NotebookClient
from options import description

COLD_BUDGET_S = 75
REBUILD_BUDGET_S = 30
TEST_COMMAND_BUDGET_S = 180
CHAPTER_BUDGET_S = 30
MEMORY_BUDGET_MB = 2048


def _script(name):
    """A module of scripts/, loaded from its file (scripts/ is not on this script's path)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The book's table of contents, read as every script reads it (scripts/toc.py).
toc = _script("toc")
# How the build starts a chapter's kernel (scripts/encryption.py), so that a chapter alone runs as in the build.
encryption = _script("encryption")
# How many chapters the build and nbval run at once (scripts/cores.py), counted once, so that
# every parallel run and the report use the same number.
JOBS = _script("cores").jobs()

USAGE_CELL = """\
import resource as _resource
_usage = [_resource.getrusage(who) for who in (_resource.RUSAGE_SELF, _resource.RUSAGE_CHILDREN)]
print(max(u.ru_maxrss for u in _usage), sum(u.ru_utime + u.ru_stime for u in _usage))
"""
# The rest of how nbval compares is in pytest.ini, as for scripts/test.sh.
NBVAL = ["--nbval", "-p", "no:cacheprovider", "-q"]


def timed(command, root, what):
    """Runs a command from the book's root; returns its wall-clock seconds. A failure stops
    the benchmark, since its timing would mean nothing."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{what} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return seconds


def execute_parallel(root, output):
    """scripts/execute.py into the cache of `output`; returns its wall-clock seconds."""
    command = [sys.executable, str(root / "scripts" / "execute.py"), "--jobs", str(JOBS),
               "--cache", str(output / "_build" / ".jupyter_cache")]
    return timed(command, root, "execute.py")


def build(root, output):
    """Runs the site build once, as CI does; returns its wall-clock seconds."""
    command = ["jupyter-book", "build", str(root), "--path-output", str(output),
               "--builder", "html", "-n", "-W", "--keep-going"]
    return timed(command, root, " ".join(command))


def build_execution_seconds(output):
    """Seconds each notebook took to execute in the build, from its execution cache."""
    cache = get_cache(output / "_build" / ".jupyter_cache")
    return {Path(record.uri).resolve(): record.data.get("execution_seconds")
            for record in cache.list_cache_records()}


def nbval(root, parallel):
    """nbval on every chapter, serially or JOBS chapters at once; returns wall seconds."""
    spread = ["-n", str(JOBS), "--dist", "loadfile"] if parallel else ["-p", "no:xdist"]
    command = [sys.executable, "-m", "pytest", *NBVAL, *spread, *map(str, toc.chapters(root))]
    return timed(command, root, "nbval")


def machine_busy_seconds():
    """CPU seconds the machine's cores have spent busy since it started, all cores together
    (Linux's /proc/stat: user, nice, system, irq and softirq time), or None elsewhere."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = map(int, first[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


# scripts/test.sh starts each step with a line "== <what it does>  [<seconds so far> s]".
STEP_LINE = re.compile(r"^== (.+?)  \[\d+ s\]$")


def run_test_command(root):
    """Runs `bash scripts/test.sh`; returns its wall seconds and, per step it announced,
    (step, wall seconds, busy CPU seconds of the machine or None). A failure stops the
    benchmark."""
    steps, output = [], []
    start = time.perf_counter()
    with subprocess.Popen(["bash", "scripts/test.sh"], cwd=root, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as run:
        for line in run.stdout:
            output.append(line)
            found = STEP_LINE.match(line.rstrip("\n"))
            if found:
                steps.append((found.group(1), time.perf_counter(), machine_busy_seconds()))
    end, end_busy = time.perf_counter(), machine_busy_seconds()
    if run.returncode != 0:
        sys.exit(f"scripts/test.sh failed:\n{''.join(output)[-6000:]}")
    timed_steps = []
    for (name, at, busy), (_, next_at, next_busy) in zip(steps, [*steps[1:], (None, end, end_busy)]):
        cpu = None if busy is None or next_busy is None else next_busy - busy
        timed_steps.append((name, next_at - at, cpu))
    return end - start, timed_steps


def print_test_command(seconds, steps):
    print(f"{'test command, warm environment':<40} {seconds:>7.1f} s  "
          f"{verdict(seconds, TEST_COMMAND_BUDGET_S)}")
    print(f"  {'step (what ran beside it counts too)':<58} {'wall':>7} {'CPU busy':>10} {'cores':>6}")
    for name, wall, cpu in steps:
        if cpu is None:
            busy = f"{'-':>10} {'-':>6}"
        else:
            # Under a second, the ratio is mostly the sampling's rounding.
            busy = f"{cpu:>8.0f} s {cpu / wall:>6.2f}" if wall >= 1 else f"{cpu:>8.0f} s {'-':>6}"
        print(f"  {name[:58]:<58} {wall:>5.0f} s {busy}")
    cpus = [cpu for _, _, cpu in steps]
    if not steps:
        print("  (no steps: scripts/test.sh printed no line of the form '== <step>  [<n> s]')\n")
    elif None not in cpus:
        total, cores = sum(cpus), os.cpu_count()
        floor = total / cores
        print(f"  {'all steps':<58} {sum(w for _, w, _ in steps):>5.0f} s {total:>8.0f} s "
              f"{total / seconds:>6.2f}")
        if floor > TEST_COMMAND_BUDGET_S:
            reading = (f"over the {TEST_COMMAND_BUDGET_S} s budget: no overlap can meet it, "
                       "only less work can")
        else:
            reading = (f"within the {TEST_COMMAND_BUDGET_S} s budget: "
                       "keeping every core busy could meet it")
        print(f"  this much work needs at least {total:.0f} / {cores} cores = {floor:.0f} s, {reading}\n")
    else:
        print("  (no busy CPU time: /proc/stat is Linux's)\n")


def run_chapter(path):
    """Executes one chapter in a fresh kernel; returns (seconds, CPU seconds, peak MB)."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(USAGE_CELL))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}, config=encryption.kernel_config())
    start = time.perf_counter()
    # The kernel's own log would break up the table; cell errors still arrive through the
    # messaging protocol and stop the benchmark.
    client.execute(stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    peak_kb, cpu = nb.cells[-1].outputs[0]["text"].split()
    return seconds, float(cpu), int(peak_kb) / 1024  # ru_maxrss is in KiB on Linux


def fresh_install(root, baseline):
    """A fresh environment in a temporary folder; returns (wall seconds, .pyc files made).
    The baseline reproduces setup.sh's former steps; otherwise setup.sh runs in a clone."""
    with tempfile.TemporaryDirectory(prefix="bench_install_") as folder:
        clone = Path(folder) / "lesson5"
        subprocess.run(["git", "clone", "--quiet", "--no-local", str(root), str(clone)], check=True)
        python = clone / ".venv" / "bin" / "python"
        if baseline:
            commands = [
                ["python3", "-m", "venv", ".venv"],
                [python, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"],
                [python, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            ]
        else:
            commands = [["bash", "scripts/setup.sh"]]
        start = time.perf_counter()
        for command in commands:
            timed(command, clone, " ".join(map(str, command)))
        seconds = time.perf_counter() - start
        return seconds, sum(1 for _ in (clone / ".venv").rglob("*.pyc"))


def chapter_table(root, build_seconds):
    """Each chapter alone, beside its time in the cold build (when there was one)."""
    print(f"{'chapter':<28} {'in build':>9} {'alone':>8} {'CPU':>8} {'peak RSS':>10}  verdict")
    total_build = total_alone = total_cpu = 0.0
    peak_max = 0.0
    for path in toc.chapters(root):
        seconds, cpu, peak_mb = run_chapter(path)
        in_build = build_seconds.get(path.resolve())
        total_alone += seconds
        total_cpu += cpu
        total_build += in_build or 0.0
        peak_max = max(peak_max, peak_mb)
        notes = [verdict(seconds, CHAPTER_BUDGET_S), verdict(peak_mb, MEMORY_BUDGET_MB)]
        shown = f"{in_build:.1f} s" if in_build is not None else "-"
        print(f"{path.stem:<28} {shown:>9} {seconds:>6.1f} s {cpu:>6.1f} s {peak_mb:>7.0f} MB  "
              f"time alone {notes[0]}, memory {notes[1]}")
    shown_total = f"{total_build:.1f} s" if build_seconds else "-"
    print(f"{'total':<28} {shown_total:>9} {total_alone:>6.1f} s {total_cpu:>6.1f} s "
          f"{peak_max:>7.0f} MB  (max)")


def output_folder(text):
    """--output's folder, refused unless emptying it loses nothing: it is missing, empty, or
    holds only the _build folder an earlier run left (`--output .` would empty the checkout)."""
    path = Path(text).resolve()
    if path.exists() and not (path.is_dir() and {entry.name for entry in path.iterdir()} <= {"_build"}):
        raise argparse.ArgumentTypeError(
            f"{path} holds other files than an earlier build's _build folder, and the benchmark "
            "empties its output folder first: name a new folder, or leave --output out")
    return path


def verdict(value, budget):
    return "ok" if value <= budget else f"OVER {budget}"


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the book's root folder (with _config.yml and _toc.yml)")
    parser.add_argument("--output", type=output_folder, default=None,
                        help="build output folder, new or from an earlier run (emptied first); "
                             "default: a temporary one")
    parser.add_argument("--skip-build", action="store_true", help="no site builds")
    parser.add_argument("--skip-nbval", action="store_true", help="no nbval runs")
    parser.add_argument("--skip-chapters", action="store_true", help="no table of chapters run alone")
    parser.add_argument("--test-command", action="store_true",
                        help="also time `bash scripts/test.sh` (several minutes)")
    parser.add_argument("--install", action="store_true",
                        help="also time a fresh install, pip's way and setup.sh's (a few minutes)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    root = args.root.resolve()
    # As the build and the tests run the chapters, whatever the shell says.
    os.environ["LESSON5_PROGRESS"] = "0"

    build_seconds = {}
    if not args.skip_build:
        output = args.output or Path(tempfile.mkdtemp(prefix="bench_build_"))
        parallel_output = Path(tempfile.mkdtemp(prefix="bench_build_parallel_"))
        shutil.rmtree(output, ignore_errors=True)
        serial = build(root, output)
        rebuild = build(root, output)
        build_seconds = build_execution_seconds(output)
        parallel = execute_parallel(root, parallel_output) + build(root, parallel_output)
        print(f"{'cold build, serial (baseline)':<40} {serial:>7.1f} s")
        print(f"{'cold build, chapters at once':<40} {parallel:>7.1f} s  "
              f"{verdict(parallel, COLD_BUDGET_S)}  ({serial / parallel:.2f}x faster, {JOBS} at once)")
        print(f"{'unchanged rebuild':<40} {rebuild:>7.1f} s  {verdict(rebuild, REBUILD_BUDGET_S)}\n")
        shutil.rmtree(parallel_output)
        if args.output is None:
            shutil.rmtree(output)

    if not args.skip_nbval:
        serial = nbval(root, parallel=False)
        parallel = nbval(root, parallel=True)
        print(f"{'nbval, serial (baseline)':<40} {serial:>7.1f} s")
        print(f"{'nbval, chapters at once':<40} {parallel:>7.1f} s  "
              f"({serial / parallel:.2f}x faster)\n")

    if args.test_command:
        print_test_command(*run_test_command(root))

    if args.install:
        # Twice each, in the order baseline, setup.sh, setup.sh, baseline, so that a machine
        # growing busier or quieter during the run weighs on both alike.
        runs = {True: [], False: []}
        for baseline in (True, False, False, True):
            runs[baseline].append(fresh_install(root, baseline))
        (pip_a, pip_files), (pip_b, _) = runs[True]
        (setup_a, setup_files), (setup_b, _) = runs[False]
        pip_seconds, setup_seconds = (pip_a + pip_b) / 2, (setup_a + setup_b) / 2
        print(f"{'fresh install, pip compiles (baseline)':<40} {pip_seconds:>7.1f} s  "
              f"(runs {pip_a:.1f}, {pip_b:.1f} s; {pip_files:,} .pyc)")
        print(f"{'fresh install, scripts/setup.sh':<40} {setup_seconds:>7.1f} s  "
              f"(runs {setup_a:.1f}, {setup_b:.1f} s; {setup_files:,} .pyc)  "
              f"{pip_seconds / setup_seconds:.2f}x faster\n")

    if not args.skip_chapters:
        chapter_table(root, build_seconds)


if __name__ == "__main__":
    main()
