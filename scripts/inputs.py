"""What a chapter's outputs depend on besides its own code cells: the package, the pinned
requirements, the figures' style, and whether LibreOffice is installed (chapters 03, 04 and 06
print its recalculation of their workbooks where it is, the package's own values where not).
The execution cache is keyed on the code cells alone, so scripts/execute.py keeps this
fingerprint beside it, and conftest.py records it in each notebook nbval executed: results
computed with other inputs are never shown on the site.

What Sphinx makes of a page depends as well on the project's Sphinx extensions, which Sphinx
does not watch: scripts/sphinx_build.sh keeps their fingerprint (`python scripts/inputs.py
extensions` prints it) with what Sphinx read and with the site's pages, and has Sphinx read
every page again when it changed."""

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The package's sources and data (code/lesson5, and its pyproject.toml), by suffix: bytecode,
# an in-tree build/ or *.egg-info, editor swap files and checkpoints follow from these or do
# not matter.
PACKAGE = "code"
PACKAGE_SUFFIXES = (".py", ".toml")
FILES = ("requirements.txt", "book/matplotlibrc")
# Beside the execution cache's own files: the fingerprint of the inputs its runs were computed
# with (scripts/execute.py writes it, _ext/cached_results.py checks it before a build).
STAMP = "lesson5-inputs.sha256"


def _package_files(root):
    top = root / PACKAGE
    for folder, subfolders, files in os.walk(top, followlinks=True):
        # Hidden folders (checkpoints, caches) and build output hold no source of the package.
        subfolders[:] = sorted(d for d in subfolders
                               if not d.startswith(".") and d not in ("__pycache__", "build")
                               and not d.endswith(".egg-info"))
        for name in sorted(files):
            if name.endswith(PACKAGE_SUFFIXES) and not name.startswith("."):
                yield Path(folder) / name


def fingerprint(root=ROOT):
    """SHA-256 over the names and contents of the package's sources and of FILES (_digest), and
    over whether LibreOffice is on PATH."""
    # Imported here, not at the top: lesson5 loads torch, which every pytest process would
    # otherwise load through conftest.py, though only nbval's recording runs call this.
    from lesson5.workbooks.calc import soffice

    root = Path(root)
    digest = _digest(root, [*_package_files(root), *(root / name for name in FILES)])
    digest.update(b"libreoffice\0" + (b"yes" if soffice() else b"no"))
    return digest.hexdigest()


def extensions_fingerprint(root=ROOT):
    """SHA-256 over the names and contents of every file in _ext/: the extensions' modules and
    the scripts they hand to Sphinx (the search page's)."""
    root = Path(root)
    # Not hidden files (an editor's swap file), which would have Sphinx read every page again.
    return _digest(root, sorted(path for path in (root / "_ext").glob("*")
                                if path.is_file() and not path.name.startswith("."))).hexdigest()


def _digest(root, paths):
    """A SHA-256 over the names (from `root`) and contents of `paths`; a file that disappears
    while it is read (an editor's temporary file) is left out."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + content + b"\0")
    return digest


if __name__ == "__main__":
    if sys.argv[1:] != ["extensions"]:
        sys.exit("usage: python scripts/inputs.py extensions")
    print(extensions_fingerprint())
