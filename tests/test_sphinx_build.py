"""scripts/sphinx_build.sh, the Sphinx build every script runs: it voids test.sh's stamp for
publish.sh whatever the outcome, a build that fails forgets what it read, and so does one after
a change to the project's Sphinx extensions; run without the environment, it says so and
removes nothing."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.inputs import extensions_fingerprint

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("passes", [True, False])
def test_a_build_voids_the_tested_stamp_and_a_failed_one_forgets_what_it_read(tmp_path, passes):
    (tmp_path / "scripts").mkdir()
    for script in ("sphinx_build.sh", "inputs.py"):
        shutil.copy(REPO / "scripts" / script, tmp_path / "scripts")
    (tmp_path / "_build" / ".doctrees").mkdir(parents=True)
    (tmp_path / "_build" / "tested").write_text("0123abc\n")
    # Read, and the site written, with the extensions as they are: only the outcome decides.
    for stamp in (".doctrees/lesson5-ext.sha256", ".lesson5-ext-html.sha256"):
        (tmp_path / "_build" / stamp).write_text(extensions_fingerprint(tmp_path) + "\n")
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


def test_a_change_to_an_extension_makes_sphinx_read_every_page_again(tmp_path):
    # Sphinx reads again only the pages whose source changed: a new way of indexing Chinese
    # words for search left the unchanged pages indexed as before.
    (tmp_path / "scripts").mkdir()
    for script in ("sphinx_build.sh", "inputs.py"):
        shutil.copy(REPO / "scripts" / script, tmp_path / "scripts")
    extension = tmp_path / "_ext" / "search.py"
    extension.parent.mkdir()
    extension.write_text("SPLIT = 1\n")
    fake = tmp_path / "bin"
    fake.mkdir()
    # Says whether what Sphinx read before was there when it was run, then reads (a page).
    (fake / "jupyter-book").write_text(
        "#!/bin/sh\n[ -e _build/.doctrees/page ] && echo kept >>runs || echo read >>runs\n"
        "mkdir -p _build/.doctrees && touch _build/.doctrees/page\n"
    )
    (fake / "jupyter-book").chmod(0o755)

    def build(builder="html"):
        result = subprocess.run(["bash", str(tmp_path / "scripts" / "sphinx_build.sh"), builder],
                                env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}"},
                                cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr

    build()
    # As test.sh and build.sh run them: the PDF's build after the site's reads nothing again.
    build("singlehtml")
    extension.write_text("SPLIT = 2\n")
    build()
    build()
    # An extension's script (search_results.js) counts as much as its module.
    extension.with_name("results.js").write_text("var Scorer = {};\n")
    build()
    build()
    # The one-page book for the PDF reads every page again after a change, and so does the site
    # after it, which writes only the pages Sphinx read again; but the PDF's build after the
    # site's reads nothing again (as in test.sh), nor does either after that.
    extension.write_text("SPLIT = 3\n")
    build("singlehtml")
    build()
    build("singlehtml")
    build()
    # An editor's swap file beside an extension is not one.
    extension.with_name(".search.py.swp").write_text("swap")
    build()
    assert (tmp_path / "runs").read_text().split() == [
        "read", "kept", "read", "kept", "read", "kept", "read", "read", "kept", "kept", "kept"
    ]


def test_without_the_environment_it_says_what_to_run_and_removes_nothing(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "sphinx_build.sh", tmp_path / "scripts")
    (tmp_path / "_build" / ".doctrees").mkdir(parents=True)
    (tmp_path / "_build" / "tested").write_text("0123abc\n")
    # A PATH with the one command the script needs before its check, and no jupyter-book.
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "dirname").symlink_to(shutil.which("dirname"))
    result = subprocess.run([shutil.which("bash"), str(tmp_path / "scripts" / "sphinx_build.sh"), "html"],
                            env={"PATH": str(bare)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert ". scripts/env.sh" in result.stderr
    assert (tmp_path / "_build" / ".doctrees").exists() and (tmp_path / "_build" / "tested").exists()
