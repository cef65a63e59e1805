"""Sphinx extension: how many CPUs the build could use, and the CPU that stored the outputs,
for the execution report.

Chapter run times depend on the machine and on how many chapters ran at once (one per CPU as
memory allows, scripts/execute.py and the nbval run in scripts/test.sh), so book/execution.md
states the CPUs the build could use, and that free memory may have run fewer at once:
it writes {{ build_cores }} (as book/intro.md does), filled in here when the build starts. A few printed results
depend on the CPU model too (scripts/reference_machine.py): {{ reference_cpu }} names the
CPU whose outputs the repository's chapters store, from book/reference_machine.json, and
{{ machine_dependent }} how many cells are tagged `machine-dependent`, chapter by chapter.
"""

import json
import runpy
from pathlib import Path


def _reference_cpu():
    # The record as nbval reads it: one it would not use names no CPU here either.
    record = _script("reference_machine.py")["stored"]()
    return record["cpu"] if record else "not recorded: book/reference_machine.json is missing or unreadable"


def _machine_dependent(srcdir):
    """'30 cells: 3 in 02_from_scratch, ...': the chapters' cells with scripts/reference_machine.py's
    tag, those that print training results and those that glue them. The chapters are _toc.yml's
    (scripts/toc.py), as the build's: a draft notebook beside them is not in the book."""
    tag = _script("reference_machine.py")["TAG"]
    counts = {}
    for path in _script("toc.py")["chapters"](srcdir):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        tagged = sum(tag in c.get("metadata", {}).get("tags", []) for c in cells)
        if tagged:
            counts[path.stem] = tagged
    if not counts:
        return "none at present"
    total = sum(counts.values())
    where = ", ".join(f"{n} in {name}" for name, n in counts.items())
    return f"{total} cell{'' if total == 1 else 's'}: {where}"


def _script(name):
    """The namespace of scripts/`name` (the build's Python does not have the repository's
    scripts/ on its path)."""
    return runpy.run_path(str(Path(__file__).resolve().parents[1] / "scripts" / name))


def _usable_cores():
    """scripts/cores.py's count of the CPUs the build could use. It runs a chapter on each as far
    as its memory allows, but free memory changes from moment to moment, so the report names
    the CPUs, not the chapters at once."""
    return _script("cores.py")["usable"]()


def _add_substitutions(app, config):
    config.myst_substitutions = {
        **config.myst_substitutions,
        "build_cores": str(_usable_cores()),
        "reference_cpu": _reference_cpu(),
        "machine_dependent": _machine_dependent(app.srcdir),
    }


def setup(app):
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
