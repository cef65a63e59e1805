"""nbval run as scripts/test.sh runs it, in a separate process, on any notebook."""

import subprocess
import sys

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
