"""Sphinx extension: an edit to _static/ reaches the site on the next build.

Sphinx copies the static files (html_static_path: the CSS and scripts every page loads, and
the optimizer explorer's) after it writes the pages, and an incremental build that finds no
page to read again stops before it writes any: an edited _static/explorer/explorer.js stayed
as it was in _build/html, whatever scripts/build.sh was run again, until some page changed.
When the static files differ from those the output folder was last built with, the front page
is read again, so that the build goes on and copies them. The files' digest is kept in the
output folder, since the site and the one-page book for the PDF share what Sphinx read.
"""

import hashlib
import os
import posixpath
from pathlib import Path

from sphinx.util.matching import Matcher

STAMP = ".lesson5-static.sha256"
# The digest each build (by its output folder) found when it started, and records once done:
# a file edited while it ran was not copied, and the next build must see it changed.
_FOUND = {}


def static_digest(app):
    """SHA-256 over the names and contents of the files Sphinx copies from html_static_path,
    leaving out the ones it leaves out: those exclude_patterns names, and hidden files and
    folders (a .ipynb_checkpoints/ that JupyterLab left), walked as Sphinx's copy walks them."""
    excluded = Matcher([*app.config.exclude_patterns, "**/.*"])
    digest = hashlib.sha256()
    for entry in app.config.html_static_path:
        root = os.path.join(app.confdir, entry)
        for folder, subfolders, files in os.walk(root, followlinks=True):
            relative = posixpath.normpath(Path(folder).relative_to(root).as_posix())
            subfolders[:] = sorted(d for d in subfolders if not excluded(posixpath.join(relative, d)))
            for name in sorted(files):
                path = posixpath.normpath(posixpath.join(relative, name))
                if not excluded(path):
                    digest.update(f"{entry}/{path}\0".encode())
                    digest.update(Path(folder, name).read_bytes())
                    digest.update(b"\0")
    return digest.hexdigest()


def _stamp(app):
    return Path(app.outdir, STAMP)


def _read_again_when_static_files_changed(app, env, added, changed, removed):
    found = _FOUND[app.outdir] = static_digest(app)
    try:
        built_with = _stamp(app).read_text()
    except FileNotFoundError:
        built_with = None
    if built_with != found and app.config.root_doc not in added:
        return [app.config.root_doc]
    return []


def _record(app, exception):
    found = _FOUND.pop(app.outdir, None)
    if exception is None and found is not None:
        _stamp(app).write_text(found)


def setup(app):
    app.connect("env-get-outdated", _read_again_when_static_files_changed)
    app.connect("build-finished", _record)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
