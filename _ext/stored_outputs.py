"""Sphinx extension: a chapter the build executes stores what the site shows, nothing that is
only for a person watching it run.

myst-nb executes a chapter whose code changed (execution mode "cache", _config.yml) in a kernel
that inherits the build's environment. With LESSON5_PROGRESS unset, as in a shell that has only
sourced scripts/env.sh, that kernel would draw progress bars and print the "name: value" lines
`lesson5.glue` shows a person running a chapter (`lesson5.progress`), and the cache would keep
them for the pages. scripts/execute.py and test.sh set the variable; this sets it for
every build, build.sh's and one run by hand (`jupyter-book build .`), when it starts. Such a
build's kernels run on the CPU, as scripts/execute.py's and nbval's do
(scripts/reference_machine.py's ON_THE_CPU): on a machine with a GPU the Learner would
otherwise train there, and the cache would keep results the stored outputs were not computed
with.
"""

import os
import runpy
from pathlib import Path


def setup(app):
    os.environ["LESSON5_PROGRESS"] = "0"
    scripts = Path(__file__).resolve().parents[1] / "scripts"
    os.environ.update(runpy.run_path(str(scripts / "reference_machine.py"))["ON_THE_CPU"])
    return {"parallel_read_safe": True, "parallel_write_safe": True}
