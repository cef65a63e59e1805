"""Sphinx extension: the build machine's core count, for the execution report.

Chapter run times depend on the machine and on how many chapters ran at once (one per core,
scripts/execute.py and the nbval run in scripts/test.sh), so book/execution.md states both:
it writes {{ build_cores }}, filled in here when the build starts.
"""

import os


def _add_substitutions(app, config):
    config.myst_substitutions = {**config.myst_substitutions, "build_cores": str(os.cpu_count() or 1)}


def setup(app):
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
