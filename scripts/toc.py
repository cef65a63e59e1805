"""The book's pages as the build sees them, read in one place for every script and test.

Jupyter Book reads `_toc.yml` with sphinx-external-toc; so does this module, so a page added
there is executed, checked, tested and benchmarked without touching any other file.
`expected_seconds` says how long a chapter ran when its outputs were stored, so that the
build and nbval can start the longest chapters first.
"""

from datetime import datetime
from pathlib import Path

import nbformat
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parents[1]


def pages(root=ROOT):
    """Every page in _toc.yml, in reading order, as docnames such as 'book/01_data'."""
    return list(parse_toc_yaml(Path(root) / "_toc.yml"))


def chapters(root=ROOT):
    """The pages written as notebooks (the chapters), in reading order, as paths."""
    root = Path(root)
    return [root / f"{page}.ipynb" for page in pages(root) if (root / f"{page}.ipynb").exists()]


def expected_seconds(path):
    """How long the chapter ran when its outputs were stored: the sum of its cells' times,
    which Jupyter records in each cell's metadata (0 for a chapter without them)."""
    seconds = 0.0
    for cell in nbformat.read(path, as_version=4).cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
            seconds += (end - start).total_seconds()
    return seconds
