"""One book page built by Sphinx with one of the project's extensions (_ext/), as the site
build would build it: for tests of what an extension puts on a page."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def build_page(tmp_path, page, extension, files=None, myst_extensions=(), env=None):
    """The HTML of book/`page`.md built with myst-nb and _ext/`extension`; `files` maps
    paths under book/ to text written beside the page (or as the page, where one is named
    `page`.md); `env` is added to the environment."""
    source = tmp_path / "source"
    (source / "book").mkdir(parents=True)
    if f"{page}.md" not in (files or {}):
        shutil.copy(REPO / "book" / f"{page}.md", source / "book")
    for name, text in (files or {}).items():
        (source / "book" / name).write_text(text)
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(REPO / '_ext')!r})\n"
        f"extensions = ['myst_nb', {extension!r}]\n"
        f"myst_enable_extensions = {list(myst_extensions)!r}\n"
        "nb_execution_mode = 'off'\n"
        f"root_doc = 'book/{page}'\n"
    )
    # Pages the built one links are not in this small build: their warnings are expected.
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(source), str(tmp_path / "html")],
        env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return (tmp_path / "html" / "book" / f"{page}.html").read_text()
