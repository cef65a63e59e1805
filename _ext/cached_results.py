"""Sphinx extension: a build never shows chapter results computed with another package.

The execution cache is keyed on a chapter's code cells alone (myst-nb's lookup). What else
decides its outputs, the package, the requirements, the figures' style and LibreOffice's
presence (scripts/inputs.py), is fingerprinted beside the cache by scripts/execute.py, which runs
every chapter again when it changed. A build started without it (`jupyter-book build .` by hand,
or scripts/pdf.sh after an edit to the package) would read the older runs from the cache and
publish them: this stops it before any page is read, and says what to run.
"""

import runpy
from pathlib import Path

from jupyter_cache import get_cache
from sphinx.errors import ExtensionError

INPUTS = Path(__file__).resolve().parents[1] / "scripts" / "inputs.py"


def _check(app):
    # Where myst-nb keeps the cache (myst_nb/sphinx_ext.py), unless _config.yml says otherwise.
    folder = Path(app.config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    # get_cache would create a cache where there is none.
    if not folder.is_dir() or not get_cache(folder).list_cache_records():
        return
    inputs = runpy.run_path(str(INPUTS))
    stamp = folder / inputs["STAMP"]
    if stamp.is_file() and stamp.read_text().strip() == inputs["fingerprint"](app.srcdir):
        return
    raise ExtensionError(
        f"the chapter runs cached in {folder} were computed with another version of the package, "
        "the requirements, the figures' style or LibreOffice's presence (or with ones not recorded): "
        "run  python scripts/execute.py  to execute the chapters again before building "
        "(bash scripts/build.sh does both)"
    )


def setup(app):
    app.connect("builder-inited", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
