"""scripts/sphinx_build.sh, the Sphinx build every script runs: it voids test.sh's stamp for
publish.sh whatever the outcome, and a build that fails forgets what it read."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("passes", [True, False])
def test_a_build_voids_the_tested_stamp_and_a_failed_one_forgets_what_it_read(tmp_path, passes):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "sphinx_build.sh", tmp_path / "scripts")
    (tmp_path / "_build" / ".doctrees").mkdir(parents=True)
    (tmp_path / "_build" / "tested").write_text("0123abc\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "jupyter-book").write_text(f"#!/bin/sh\nexit {0 if passes else 1}\n")
    (fake / "jupyter-book").chmod(0o755)
    result = subprocess.run(["bash", str(tmp_path / "scripts" / "sphinx_build.sh"), "html"],
                            env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == (0 if passes else 1), result.stderr
    assert not (tmp_path / "_build" / "tested").exists()
    assert (tmp_path / "_build" / ".doctrees").exists() is passes
