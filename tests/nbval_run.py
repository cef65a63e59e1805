"""nbval run as scripts/test.sh runs it, in a separate process, on any notebook, and small
notebooks to run it (or the build's executor) on."""

import subprocess
import sys

import nbformat

from scripts.toc import ROOT


def run_nbval(notebooks, env, *options):
    """nbval on `notebooks` (one path or several) with the repository's conftest.py and
    pytest.ini, in the environment `env`; pytest -v's report."""
    paths = [notebooks] if not isinstance(notebooks, (list, tuple)) else notebooks
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-p", "conftest", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
         "-c", str(ROOT / "pytest.ini"), "-v", *options, *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
    ).stdout


def write_notebook(path, cells, **metadata):
    """Writes a notebook of code cells, each (source, its stored stdout, or None for no output),
    numbered as one run executes them, with `metadata` added; returns `path`."""
    nb = nbformat.v4.new_notebook(metadata=metadata)
    for count, (source, stored) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        if stored is not None:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path
