"""The machine whose arithmetic stored the chapters' outputs, and whether this one matches.

The pinned code paths (scripts/env.sh) make most stored outputs reproduce on any x86-64 CPU,
but not all: a few cells print the results of long training runs, whose last digits differ
between CPU models (measured: 13 of 205 cells between an AMD EPYC and an Intel Xeon). Those
cells are tagged `machine-dependent`. book/reference_machine.json records the fingerprint
(lesson5.seed.arithmetic_fingerprint) of the machine that executed the chapters and wrote
the explorer's paths (`python -m lesson5.explorer`, chaotic too). nbval
compares every cell where this machine's fingerprint is the same; elsewhere it still runs
every cell but leaves the tagged cells' outputs uncompared, and says so (conftest.py).

    python scripts/reference_machine.py           # does this machine match?
    python scripts/reference_machine.py --write   # after executing the chapters here
"""

import argparse
import json
import os
import platform
import sys
from datetime import date
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "book" / "reference_machine.json"
TAG = "machine-dependent"


def cpu_model():
    """The CPU's model name as Linux reports it (platform's guess elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@cache
def this_machine():
    from lesson5.seed import arithmetic_fingerprint

    return {"fingerprint": arithmetic_fingerprint(), "cpu": cpu_model()}


def record():
    """book/reference_machine.json, or the file LESSON5_REFERENCE_MACHINE names
    (tests/test_reference_machine.py)."""
    return Path(os.environ.get("LESSON5_REFERENCE_MACHINE") or RECORD)


def stored():
    return json.loads(record().read_text())


def matches():
    return this_machine()["fingerprint"] == stored()["fingerprint"]


def describe():
    """One line for the end of a test run."""
    ref, here = stored(), this_machine()
    if ref["fingerprint"] == here["fingerprint"]:
        return (f"arithmetic: this machine's matches the one that stored the outputs ({ref['cpu']}): "
                "every cell is compared")
    return (f"arithmetic: this machine ({here['cpu']}, fingerprint {here['fingerprint']}) differs from the one that "
            f"stored the outputs ({ref['cpu']}, {ref['fingerprint']}): cells tagged {TAG!r} run but their outputs "
            "are not compared, since their last digits follow the CPU")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"record this machine in {RECORD.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.write:
        RECORD.write_text(json.dumps({**this_machine(), "written": date.today().isoformat()}, indent=2) + "\n")
        print(f"reference_machine: wrote {RECORD.relative_to(ROOT)}: {this_machine()}")
        return 0
    print(describe())
    return 0 if matches() else 1


if __name__ == "__main__":
    sys.exit(main())
