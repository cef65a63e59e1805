"""Sphinx extension: a chapter the build executes stores what the site shows, nothing that is
only for a person watching it run.

myst-nb executes a chapter whose code changed (execution mode "cache", _config.yml) in a kernel
that inherits the build's environment. With LESSON5_PROGRESS unset, as in a shell that has only
sourced scripts/env.sh, that kernel would draw progress bars and print the "name: value" lines
`lesson5.glue` shows a person running a chapter (`lesson5.progress`), and the cache would keep
them for the pages. build.sh and test.sh set the variable; this sets it for a build run by
hand (`jupyter-book build .`) too, when the build starts.
"""

import os


def setup(app):
    os.environ["LESSON5_PROGRESS"] = "0"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
