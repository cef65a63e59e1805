"""Sphinx extension: a build never shows chapter results computed with another package.

The execution cache is keyed on a chapter's code cells alone (myst-nb's lookup). What else
decides its outputs, the package, the requirements, the figures' style and LibreOffice's
presence (scripts/inputs.py), is fingerprinted beside the cache by scripts/execute.py, which runs
every chapter again when it changed. A build started without it (`jupyter-book build .` by hand,
or scripts/pdf.sh after an edit to the package) would read the older runs from the cache and
publish them: this stops it before any page is read, and says what to run. A build that
starts from an empty cache (a fresh clone's `jupyter-book build .`) executes the chapters itself,
with the inputs as they are: it records them, as execute.py does, for the next build to check.
"""

import runpy
from pathlib import Path

from jupyter_cache import get_cache
from sphinx.errors import ExtensionError

INPUTS = Path(__file__).resolve().parents[1] / "scripts" / "inputs.py"


def _check(app):
    # Where myst-nb keeps the cache, as it set it up when the builder started (before this).
    folder = Path(app.env.mystnb_config.execution_cache_path)
    inputs = runpy.run_path(str(INPUTS))
    stamp = folder / inputs["STAMP"]
    now = inputs["fingerprint"](app.srcdir)
    # get_cache would create a cache where there is none.
    if not folder.is_dir() or not get_cache(folder).list_cache_records():
        # Whatever this build executes and caches runs with the inputs as they are now.
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(now + "\n")
        return
    if stamp.is_file() and stamp.read_text().strip() == now:
        return
    raise ExtensionError(
        f"the chapter runs cached in {folder} were computed with another version of the package, "
        "the requirements, the figures' style or LibreOffice's presence (or with ones not recorded): "
        "run  python scripts/execute.py  to execute the chapters again before building "
        "(bash scripts/build.sh does both)"
    )


def setup(app):
    # After myst-nb's own handler (priority 500), which sets up the execution cache's path.
    app.connect("builder-inited", _check, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
