"""One book page built by Sphinx with one of the project's extensions (_ext/), as the site
build would build it: for tests of what an extension puts on a page; and an extension loaded
alone, for tests of its parts."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())

# A .bib entry for the builds that cite (tests/test_ext_units.py, tests/test_ext_pages.py).
CYBENKO1989 = """
@article{cybenko1989,
  author  = {Cybenko, George},
  title   = {Approximation by superpositions of a sigmoidal function},
  journal = {Mathematics of Control, Signals and Systems},
  year    = {1989}
}
"""


def extension(name):
    """_ext/`name`.py as a module of its own, loaded afresh from its file."""
    spec = importlib.util.spec_from_file_location(name, REPO / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def citation_config():
    """conf.py settings for sphinxcontrib-bibtex as the site's _config.yml gives them, reading
    book/references.bib."""
    settings = CONFIG["sphinx"]["config"]
    return {
        "bibtex_bibfiles": ["book/references.bib"],
        **{key: settings[key] for key in ["bibtex_reference_style", "bibtex_default_style", "bibtex_cite_id"]},
    }


def build_site(tmp_path, root_page, extensions, files=None, myst_extensions=(), config=None, env=None,
               builder="html"):
    """The output folder (tmp_path/`builder`) of book/`root_page`.md built with myst-nb and
    `extensions`, found in _ext/ or among `files`; `files` maps paths under book/ to text
    written beside the page (or as the page, where one is named `root_page`.md); `config` adds
    settings to conf.py, `env` to the environment; `builder` is Sphinx's ("singlehtml" for the
    one-page book the PDF is printed from)."""
    source = tmp_path / "source"
    book = source / "book"
    book.mkdir(parents=True)
    if f"{root_page}.md" not in (files or {}):
        shutil.copy(REPO / "book" / f"{root_page}.md", book)
    for name, text in (files or {}).items():
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        (book / name).write_text(text)
    # Its table of contents, where scripts/toc.py reads the book's chapters (the execution
    # report counts their tagged cells): the one page, no chapter.
    (source / "_toc.yml").write_text(f"format: jb-book\nroot: book/{root_page}\n")
    settings = "".join(f"{key} = {value!r}\n" for key, value in (config or {}).items())
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path[:0] = [{str(REPO / '_ext')!r}, {str(book)!r}]\n"
        f"extensions = {['myst_nb', *extensions]!r}\n"
        f"myst_enable_extensions = {list(myst_extensions)!r}\n"
        "nb_execution_mode = 'off'\n"
        f"root_doc = 'book/{root_page}'\n" + settings
    )
    # Pages the built ones link are not in this small build: their warnings are expected.
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-E", str(source), str(tmp_path / builder)],
        env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return tmp_path / builder


def build_page(tmp_path, page, extension, files=None, myst_extensions=(), env=None):
    """The HTML of book/`page`.md built with myst-nb and _ext/`extension` (see build_site)."""
    html = build_site(tmp_path, page, [extension], files, myst_extensions, env=env)
    return (html / "book" / f"{page}.html").read_text()
