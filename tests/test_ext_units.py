"""What four of the project's Sphinx extensions (_ext/) put on a page, checked on small builds
and doctrees instead of the built site (tests/browser/ reads that):

- unique_ids.py: a repeated id gets "-2", "-3", ... and a unique one is left alone;
- bibliography_entries.py: the bibliography labels an entry as the chapters cite it, its
  entries are list items, and an edit to the .bib leaves no page showing an old citation;
- execution_report.py: the report's columns, chapter titles and status words, and that it
  runs between myst-nb's table and the resolution of links;
- stored_outputs.py: the chapters a build executes run with progress off.
"""

import importlib.util
import subprocess
import sys
from types import SimpleNamespace

import pytest
import yaml

# bs4 comes with the site build itself (pydata-sphinx-theme needs it).
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.utils import new_document
from myst_nb.ext.execution_tables import make_stat_table
from sphinx_page import REPO, build_site

CONFIG = yaml.safe_load((REPO / "_config.yml").read_text())


def _extension(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(html, name):
    return BeautifulSoup((html / f"{name}.html").read_text(), "html.parser")


def test_the_site_build_loads_every_extension_in_ext_and_no_other():
    # An extension left out of _config.yml would be tested here and do nothing on the site.
    written = {path.stem for path in (REPO / "_ext").glob("*.py")}
    assert CONFIG["sphinx"]["local_extensions"] == dict.fromkeys(written, "_ext")


# stored_outputs.py


def test_a_build_turns_progress_off_for_the_kernels_it_starts(monkeypatch):
    # A shell that only sourced env.sh leaves it unset or on; the kernels inherit the build's.
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    _extension("stored_outputs").setup(SimpleNamespace())
    import os

    assert os.environ["LESSON5_PROGRESS"] == "0"


# unique_ids.py


def test_a_repeated_id_gets_the_next_free_number_and_a_unique_id_is_kept():
    unique_ids = _extension("unique_ids")
    # sphinx-exercise 1.2.1 gives every exercise's body this id; a chapter has several.
    document = new_document("book/01_data")
    for node_id in ["exercise-content", "solution-content", "exercise-content", "exercise-content"]:
        document += nodes.container(ids=[node_id])
    unique_ids._make_ids_unique(None, document, "book/01_data")
    assert [node["ids"] for node in document.findall(nodes.container)] == [
        ["exercise-content"], ["solution-content"], ["exercise-content-2"], ["exercise-content-3"],
    ]


# bibliography_entries.py

REFERENCES = """
@article{cybenko1989,
  author  = {Cybenko, George},
  title   = {Approximation by superpositions of a sigmoidal function},
  journal = {Mathematics of Control, Signals and Systems},
  year    = {1989}
}

@inproceedings{kingma2015,
  author    = {Kingma, Diederik P. and Ba, Jimmy},
  title     = {Adam: A Method for Stochastic Optimization},
  booktitle = {International Conference on Learning Representations},
  year      = {2015}
}
"""


def _build_bibliography_site(folder, files=None, root="chapter"):
    """A chapter citing two entries of a .bib, and the book's bibliography page, built with the
    site's citation settings; `files` adds pages or replaces the .bib, `root` names the root
    page. Returns the HTML folder."""
    config = CONFIG["sphinx"]["config"]
    return build_site(
        folder, root,
        ["sphinxcontrib.bibtex", "bibliography_entries"],
        {
            "references.bib": REFERENCES,
            "bibliography.md": (REPO / "book" / "bibliography.md").read_text(),
            "chapter.md": "# A chapter\n\nA theorem {cite:p}`cybenko1989`, a method {cite:p}`kingma2015`.\n",
            **(files or {}),
        },
        config={
            "bibtex_bibfiles": ["book/references.bib"],
            "bibtex_reference_style": config["bibtex_reference_style"],
            "bibtex_default_style": config["bibtex_default_style"],
            "bibtex_cite_id": config["bibtex_cite_id"],
        },
    )


@pytest.fixture(scope="module")
def bibliography_site(tmp_path_factory):
    """(the chapter, the bibliography) of `_build_bibliography_site`, as parsed HTML."""
    html = _build_bibliography_site(tmp_path_factory.mktemp("bibliography"))
    return _page(html, "book/chapter"), _page(html, "book/bibliography")


def _links_and_labels(chapter, bibliography):
    """What each of the chapter's citations links to, and the label of each entry by its id."""
    cited = {
        link["href"].split("#")[1]: link.get_text()
        for link in chapter.select(".bibtex-citation a[href^='bibliography.html#']")
    }
    labels = {
        entry["id"]: entry.select_one(".label").get_text().strip("[]")
        for entry in bibliography.select(".citation")
    }
    return cited, labels


def test_each_bibliography_entry_is_labelled_as_the_chapters_cite_it(bibliography_site):
    cited, labels = _links_and_labels(*bibliography_site)
    assert len(cited) == 2
    assert cited == labels
    # Two authors read as a citation does, not as pybtex's "[KB15]".
    assert "Kingma and Ba, 2015" in labels.values()


def test_after_a_bib_edit_an_unchanged_chapter_still_cites_each_entry_as_it_now_reads(tmp_path):
    # An entry cited by another page is taken out of both, and the year of one the chapter
    # cites changes: the chapter itself has not changed (nor has either page beside it in the
    # table of contents, whose links to it Sphinx would rewrite), yet its citation must now
    # read 2014 and lead to the entry labelled so.
    first = "@misc{aaron2000,\n  author = {Aaron, Zed},\n  title = {First},\n  year = {2000}\n}\n\n"
    html = _build_bibliography_site(tmp_path, {
        "references.bib": first + REFERENCES,
        "index.md": "# Book\n\n```{toctree}\nother\nmiddle\nchapter\nbibliography\n```\n",
        "other.md": "# Other\n\nFirst {cite:p}`aaron2000`.\n",
        "middle.md": "# Middle\n\nNo citation.\n",
    }, root="index")
    book = tmp_path / "source" / "book"
    (book / "references.bib").write_text(REFERENCES.replace("{2015}", "{2014}"))
    (book / "other.md").write_text("# Other\n\nNo citation now.\n")
    # Incremental, as scripts/build.sh builds: no -E.
    again = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(tmp_path / "source"), str(html)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    cited, labels = _links_and_labels(_page(html, "book/chapter"), _page(html, "book/bibliography"))
    assert len(labels) == 2
    assert cited == labels and "Kingma and Ba, 2014" in cited.values(), cited


def test_the_bibliography_entries_are_list_items_not_a_deprecated_role(bibliography_site):
    _, bibliography = bibliography_site
    entries = bibliography.select(".citation")
    assert len(entries) == 2
    assert all(entry.parent.get("role") == "list" and entry.get("role") == "listitem" for entry in entries)
    assert not bibliography.select("[role='doc-biblioentry']")


# execution_report.py

# What myst-nb records for each chapter it executes (myst_nb/core/execute): one chapter ran,
# one failed, both from the cache.
RUNS = {
    "book/01_data": {"mtime": 86400.0, "runtime": 1.5, "method": "cache", "succeeded": True,
                     "error": None, "traceback": None},
    "book/02_from_scratch": {"mtime": 90000.0, "runtime": 2.0, "method": "cache", "succeeded": False,
                             "error": "CellExecutionError", "traceback": "Traceback"},
}
TITLES = {"book/01_data": "Data", "book/02_from_scratch": "From scratch"}

# A build here executes nothing (a kernel per chapter would take minutes): this extension hands
# myst-nb the records its execution would have left, once every page has been read.
RECORDED_RUNS = f"""
from myst_nb.sphinx_ import NbMetadataCollector

RUNS = {RUNS!r}


def _record(app, env):
    for docname, data in RUNS.items():
        NbMetadataCollector.set_doc_data(env, docname, "exec_data", data)


def setup(app):
    app.connect("env-updated", _record)
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The book's execution report, built with two chapters' records, as parsed HTML."""
    chapters = {f"{docname.removeprefix('book/')}.md": f"# {title}\n\nText.\n" for docname, title in TITLES.items()}
    html = build_site(
        tmp_path_factory.mktemp("report"), "execution", ["execution_report", "recorded_runs"],
        {"recorded_runs.py": RECORDED_RUNS, **chapters},
    )
    return _page(html, "book/execution").select_one("table")


def test_the_report_heads_its_columns_in_words_and_drops_the_caching_method(report):
    assert [th.get_text(strip=True) for th in report.select("thead th")] == [
        "Chapter", "Executed", "Run time (s)", "Status"
    ]
    cells = [td.get_text(strip=True) for td in report.select("tbody td")]
    assert "cache" not in cells


def test_the_report_links_each_chapter_by_its_title(report):
    links = {a["href"]: a.get_text(strip=True) for a in report.select("tbody td:first-child a")}
    # The report is in book/, beside the chapters: each links its page by its file name. The
    # title lands in the link only if the report is reworded before Sphinx resolves links.
    assert links == {f"{docname.removeprefix('book/')}.html": title for docname, title in TITLES.items()}


def test_the_report_says_in_words_whether_each_chapter_ran(report):
    statuses = {
        row.select_one("td:first-child").get_text(strip=True): row.select("td")[-1]
        for row in report.select("tbody tr")
    }
    assert {title: cell.get_text(strip=True) for title, cell in statuses.items()} == {
        "Data": "succeeded", "From scratch": "failed"
    }
    # The failure keeps myst-nb's error as the word's explanation.
    assert statuses["From scratch"].select_one("abbr")["title"] == RUNS["book/02_from_scratch"]["error"]


def test_the_reworded_table_declares_as_many_columns_as_it_has():
    execution_report = _extension("execution_report")
    env = SimpleNamespace(docname="book/execution", titles={},
                          nb_metadata={docname: {"exec_data": data} for docname, data in RUNS.items()})
    document = new_document(env.docname)
    document.settings.env = env
    document += make_stat_table(env.docname, env.nb_metadata)
    execution_report.ExecutionReport(document).apply()
    # docutils' tgroup "cols" is the table's column count for the writers that read it (Texinfo).
    tgroup = next(document.findall(nodes.tgroup))
    assert len(list(tgroup.findall(nodes.colspec))) == tgroup["cols"]
    assert {len(row.children) for row in tgroup.findall(nodes.row)} == {tgroup["cols"]}
