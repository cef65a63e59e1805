"""What nine of the project's Sphinx extensions (_ext/) put on a page, checked on small builds
and doctrees instead of the built site (tests/browser/ reads that; tests/test_ext_pages.py
builds the others together):

- unique_ids.py: a repeated id gets the next number no id on the page has, and a unique one
  is left alone;
- bibliography_entries.py: the bibliography labels an entry as the chapters cite it, in plain
  text ("Rumelhart et al., 1986"), its entries are list items, an edit to the .bib leaves no
  page showing an old citation, and a build without one rewrites no page;
- execution_report.py: the report's columns, chapter titles, status words and the time each
  chapter ran (in UTC, date and time apart), and that it runs between myst-nb's table and the
  resolution of links;
- build_machine.py: the CPUs the build could use, the machine-dependent cells counted, and the
  other substitutions kept;
- stored_outputs.py: the chapters a build executes run with progress off;
- math_punctuation.py: a formula at either end of a paragraph, or beside an element rather
  than text, keeps what touches it and leaves the rest alone;
- cached_results.py: a build reads cached runs only with the inputs they were computed with;
- page_description.py: a page's description is its first prose, cut at a word;
- static_files.py: an edited static file reaches the site on the next build, also after the
  PDF's build, and one Sphinx does not copy writes no page again.
"""

import json
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest

# bs4 comes with the site build itself (pydata-sphinx-theme needs it).
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.utils import new_document
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from myst_nb.ext.execution_tables import make_stat_table
from sphinx.errors import ExtensionError
from sphinx_page import CONFIG, CYBENKO1989, REPO, build_site, citation_config, extension

from scripts.inputs import STAMP, fingerprint


def _page(html, name):
    return BeautifulSoup((html / f"{name}.html").read_text(), "html.parser")


def test_the_site_build_loads_every_extension_in_ext_and_no_other():
    # An extension left out of _config.yml would be tested here and do nothing on the site.
    written = {path.stem for path in (REPO / "_ext").glob("*.py")}
    assert CONFIG["sphinx"]["local_extensions"] == dict.fromkeys(written, "_ext")


# cached_results.py


def _app_over_cache(tmp_path, stamp=None, runs=1):
    """What cached_results.py reads of a Sphinx app building tmp_path, whose execution cache (in
    myst-nb's default place) holds `runs` runs, with `stamp` beside them (None: no stamp)."""
    folder = tmp_path / "_build" / ".jupyter_cache"
    if runs:
        cache = get_cache(folder)
        for i in range(runs):
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"{i}")])
            cache.cache_notebook_bundle(CacheBundleIn(notebook, f"book/0{i}.ipynb"), check_validity=False)
    if stamp is not None:
        (folder / STAMP).write_text(stamp + "\n")
    config = SimpleNamespace(execution_cache_path=str(folder))
    return SimpleNamespace(env=SimpleNamespace(mystnb_config=config), srcdir=str(tmp_path))


def test_a_build_reads_cached_runs_only_with_the_inputs_they_were_computed_with(tmp_path):
    cached_results = extension("cached_results")
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "m.py").write_text("A = 1\n")
    app = _app_over_cache(tmp_path, stamp=fingerprint(tmp_path))
    cached_results._check(app)
    # The package edited since, as by hand before `jupyter-book build .`.
    (tmp_path / "code" / "m.py").write_text("A = 2\n")
    with pytest.raises(ExtensionError, match=r"run  python scripts/execute\.py  to execute the chapters again"):
        cached_results._check(app)


def test_cached_runs_with_no_record_of_their_inputs_are_refused(tmp_path):
    with pytest.raises(ExtensionError, match=r"or with ones not recorded"):
        extension("cached_results")._check(_app_over_cache(tmp_path))


def test_a_build_with_nothing_cached_goes_ahead_and_records_the_inputs_its_runs_will_have(tmp_path):
    # A fresh clone's `jupyter-book build .`, which executes the chapters itself: the next build
    # from that cache must go ahead too, as long as nothing changed.
    cached_results = extension("cached_results")
    app = _app_over_cache(tmp_path, runs=0)
    cached_results._check(app)
    assert (tmp_path / "_build" / ".jupyter_cache" / STAMP).read_text() == fingerprint(tmp_path) + "\n"
    _app_over_cache(tmp_path, runs=1)
    cached_results._check(app)


# stored_outputs.py


def test_a_build_turns_progress_off_for_the_kernels_it_starts(monkeypatch):
    # A shell that only sourced env.sh leaves it unset or on; the kernels inherit the build's.
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    # Set through monkeypatch so that what setup() writes there is undone after the test too.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    extension("stored_outputs").setup(SimpleNamespace())
    import os

    assert os.environ["LESSON5_PROGRESS"] == "0"


def test_a_build_by_hand_runs_its_kernels_on_the_cpu_as_the_executor_does(monkeypatch):
    import os

    from scripts import reference_machine

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    extension("stored_outputs").setup(SimpleNamespace())
    assert {name: os.environ[name] for name in reference_machine.ON_THE_CPU} == reference_machine.ON_THE_CPU


# unique_ids.py


def test_a_repeated_id_gets_the_next_free_number_and_a_unique_id_is_kept():
    unique_ids = extension("unique_ids")
    # sphinx-exercise 1.2.1 gives every exercise's body this id; a chapter has several.
    document = new_document("book/01_data")
    for node_id in ["exercise-content", "solution-content", "exercise-content", "exercise-content"]:
        document += nodes.container(ids=[node_id])
    unique_ids._make_ids_unique(None, document, "book/01_data")
    assert [node["ids"] for node in document.findall(nodes.container)] == [
        ["exercise-content"], ["solution-content"], ["exercise-content-2"], ["exercise-content-3"],
    ]


def test_a_repeated_id_is_not_renamed_to_an_id_the_page_already_has():
    unique_ids = extension("unique_ids")
    # A page's own "a-2" comes after the repeated "a": numbering the repeat "a-2" would send a
    # link to #a-2 to the repeat, and rename the page's own element.
    document = new_document("book/01_data")
    for node_id in ["a", "a", "a-2"]:
        document += nodes.container(ids=[node_id])
    unique_ids._make_ids_unique(None, document, "book/01_data")
    assert [node["ids"] for node in document.findall(nodes.container)] == [["a"], ["a-3"], ["a-2"]]


# bibliography_entries.py

REFERENCES = CYBENKO1989 + """
@inproceedings{kingma2015,
  author    = {Kingma, Diederik P. and Ba, Jimmy},
  title     = {Adam: A Method for Stochastic Optimization},
  booktitle = {International Conference on Learning Representations},
  year      = {2015}
}

@article{rumelhart1986,
  author  = {Rumelhart, David E. and Hinton, Geoffrey E. and Williams, Ronald J.},
  title   = {Learning representations by back-propagating errors},
  journal = {Nature},
  year    = {1986}
}
"""


def _build_bibliography_site(folder, files=None, root="chapter"):
    """A chapter citing the three entries of a .bib, and the book's bibliography page, built with the
    site's citation settings; `files` adds pages or replaces the .bib, `root` names the root
    page. Returns the HTML folder."""
    return build_site(
        folder, root,
        ["sphinxcontrib.bibtex", "bibliography_entries"],
        {
            "references.bib": REFERENCES,
            "bibliography.md": (REPO / "book" / "bibliography.md").read_text(),
            "chapter.md": "# A chapter\n\nA theorem {cite:p}`cybenko1989`, a method {cite:p}`kingma2015`, "
                          "its gradients {cite:p}`rumelhart1986`.\n",
            **(files or {}),
        },
        config=citation_config(),
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
    assert len(cited) == 3
    assert cited == labels
    # Two authors read as a citation does, not as pybtex's "[KB15]".
    assert "Kingma and Ba, 2015" in labels.values()
    # Three authors shorten to "et al." as the citation does (not all three names), and the
    # label is plain text as the citation is (not "<em>et al.</em>", written out as text).
    assert "Rumelhart et al., 1986" in labels.values()
    assert not [label for label in labels.values() if "<" in label]


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
    _build_again(tmp_path, html)
    cited, labels = _links_and_labels(_page(html, "book/chapter"), _page(html, "book/bibliography"))
    assert len(labels) == 3
    assert cited == labels and "Kingma and Ba, 2014" in cited.values(), cited
    # ...and once the edit is built, a build without one rewrites no page: the .bib's digest
    # is kept for the next build to compare with.
    written = (html / "book" / "chapter.html").stat().st_mtime_ns
    _build_again(tmp_path, html)
    assert (html / "book" / "chapter.html").stat().st_mtime_ns == written


def _build_again(tmp_path, html, builder="html", output=None):
    """Builds tmp_path/source into `html` again, incrementally as scripts/build.sh builds: no -E;
    or with another `builder` into `output`, from what the site's build read, as Jupyter Book
    builds the one-page book for the PDF (scripts/pdf.sh)."""
    again = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-q", "-d", str(html / ".doctrees"),
                            str(tmp_path / "source"), str(output or html)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr


def test_a_bib_edit_built_first_for_the_pdf_still_rewrites_the_sites_pages(tmp_path):
    html = _build_bibliography_site(tmp_path)
    (tmp_path / "source" / "book" / "references.bib").write_text(REFERENCES.replace("{2015}", "{2014}"))
    _build_again(tmp_path, html, "singlehtml", tmp_path / "singlehtml")
    _build_again(tmp_path, html)
    cited, labels = _links_and_labels(_page(html, "book/chapter"), _page(html, "book/bibliography"))
    assert "Kingma and Ba, 2014" in cited.values(), cited


def test_the_bibliography_lists_each_entry_under_the_first_letter_of_its_label(tmp_path):
    # A braced name is one that BibTeX must not split into first and last names; its braces
    # sorted it after "z", lower case or not. An entry with no author, labelled by its title,
    # sorted first.
    corporate = (
        "@misc{fastai1,\n  author = {{fast.ai}},\n  title = {fastai},\n  year = {2018}\n}\n\n"
        "@misc{pytorchdocs,\n  author = {{PyTorch contributors}},\n  title = {Docs},\n  year = {2024}\n}\n\n"
        "@misc{timeline,\n  title = {{Lesson} 5 video timeline},\n  year = {2019}\n}\n\n"
    )
    html = _build_bibliography_site(tmp_path, {
        "references.bib": corporate + REFERENCES,
        "chapter.md": "# A chapter\n\nAll six "
                      "{cite:p}`fastai1,pytorchdocs,timeline,cybenko1989,kingma2015,rumelhart1986`.\n",
    })
    order = [entry["id"] for entry in _page(html, "book/bibliography").select(".citation")]
    assert order == [f"cite-{key}" for key in
                     ["cybenko1989", "fastai1", "kingma2015", "timeline", "pytorchdocs", "rumelhart1986"]], order


def test_the_bibliography_entries_are_list_items_not_a_deprecated_role(bibliography_site):
    _, bibliography = bibliography_site
    entries = bibliography.select(".citation")
    assert len(entries) == 3
    assert all(entry.parent.get("role") == "list" and entry.get("role") == "listitem" for entry in entries)
    assert not bibliography.select("[role='doc-biblioentry']")


# execution_report.py

# What myst-nb records for each chapter (myst_nb/core/execute/cache.py), in execution_mode
# "cache": one chapter's run taken from the cache, one that failed in this build. A run from
# the cache has the time jupyter-cache stored, read as local time (RECORDED_RUNS sets it); one
# executed in the build has the true time, here 1970-01-02 01:00 UTC.
RUNS = {
    "book/01_data": {"mtime": None, "runtime": 1.5, "method": "cache", "succeeded": True,
                     "error": None, "traceback": None},
    "book/02_from_scratch": {"mtime": 90000.0, "runtime": 2.0, "method": "cache", "succeeded": False,
                             "error": "CellExecutionError", "traceback": "Traceback"},
}
TITLES = {"book/01_data": "Data", "book/02_from_scratch": "From scratch"}

# A build here executes nothing (a kernel per chapter would take minutes): this extension stores
# a run in the cache as jupyter-cache does (UTC, without a time zone: 1970-01-02 00:00), and hands
# myst-nb the records its execution would have left, once every page has been read.
RECORDED_RUNS = f"""
import datetime

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.cache.db import NbCacheRecord, session_context
from myst_nb.sphinx_ import NbMetadataCollector

RUNS = {RUNS!r}


def _record(app, env):
    cache = get_cache(env.mystnb_config.execution_cache_path)
    cache.cache_notebook_bundle(CacheBundleIn(nbformat.v4.new_notebook(), "book/01_data.ipynb"),
                                check_validity=False)
    with session_context(cache.db) as session:
        session.query(NbCacheRecord).update({{"created": datetime.datetime(1970, 1, 2)}})
        session.commit()
    created = cache.list_cache_records()[0].created
    RUNS["book/01_data"]["mtime"] = created.timestamp()
    for docname, data in RUNS.items():
        NbMetadataCollector.set_doc_data(env, docname, "exec_data", data)


def setup(app):
    app.connect("env-updated", _record)
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The book's execution report, built with two chapters' records, as parsed HTML."""
    chapters = {f"{docname.removeprefix('book/')}.md": f"# {title}\n\nText.\n" for docname, title in TITLES.items()}
    # On a machine nine hours ahead of UTC, where myst-nb's own column reads local time.
    html = build_site(
        tmp_path_factory.mktemp("report"), "execution", ["execution_report", "recorded_runs"],
        {"recorded_runs.py": RECORDED_RUNS, **chapters}, env={"TZ": "Asia/Tokyo"},
    )
    return _page(html, "book/execution").select_one("table")


def test_the_report_heads_its_columns_in_words_and_drops_the_caching_method(report):
    assert [th.get_text(strip=True) for th in report.select("thead th")] == [
        "Chapter", "Executed", "Run time (s)", "Status"
    ]
    cells = [td.get_text(strip=True) for td in report.select("tbody td")]
    assert "cache" not in cells


def test_the_report_links_each_chapter_by_its_title(report):
    # Each row is headed by its chapter (a th), which screen readers name with the row's cells.
    rows = report.select("tbody tr")
    assert rows and all(row.find(["th", "td"]).name == "th" for row in rows), rows
    links = {a["href"]: a.get_text(strip=True) for a in report.select("tbody th a")}
    # The report is in book/, beside the chapters: each links its page by its file name. The
    # title lands in the link only if the report is reworded before Sphinx resolves links.
    assert links == {f"{docname.removeprefix('book/')}.html": title for docname, title in TITLES.items()}


def test_the_report_says_in_words_whether_each_chapter_ran(report):
    statuses = {
        row.select_one("th").get_text(strip=True): row.select("td")[-1]
        for row in report.select("tbody tr")
    }
    assert {title: cell.get_text(strip=True) for title, cell in statuses.items()} == {
        "Data": "succeeded", "From scratch": "failed"
    }
    # The failure keeps myst-nb's error as the word's explanation.
    assert statuses["From scratch"].select_one("abbr")["title"] == RUNS["book/02_from_scratch"]["error"]


def test_the_report_says_when_each_chapter_ran_in_utc_its_date_and_time_apart(report):
    executed = {
        row.select_one("th").get_text(strip=True): row.select("td")[0]
        for row in report.select("tbody tr")
    }
    # What the page reads, white space as a browser shows it: the date and the time are two
    # spans, each kept on one line by reader.css, with a space between them.
    assert {title: " ".join(cell.get_text().split()) for title, cell in executed.items()} == {
        "Data": "1970-01-02 00:00 UTC", "From scratch": "1970-01-02 01:00 UTC"
    }
    assert all(len(cell.select("span.execution-when")) == 2 for cell in executed.values())
    # reader.css styles the report by its class.
    assert "execution-report" in report["class"]


def test_the_reworded_table_declares_as_many_columns_as_it_has():
    execution_report = extension("execution_report")
    runs = {docname: {**data, "mtime": 86400.0} for docname, data in RUNS.items()}
    env = SimpleNamespace(docname="book/execution", titles={},
                          mystnb_config=SimpleNamespace(execution_cache_path="no cache here"),
                          nb_metadata={docname: {"exec_data": data} for docname, data in runs.items()})
    document = new_document(env.docname)
    document.settings.env = env
    document += make_stat_table(env.docname, env.nb_metadata)
    execution_report.ExecutionReport(document).apply()
    # docutils' tgroup "cols" is the table's column count for the writers that read it (Texinfo).
    tgroup = next(document.findall(nodes.tgroup))
    assert len(list(tgroup.findall(nodes.colspec))) == tgroup["cols"]
    assert {len(row.children) for row in tgroup.findall(nodes.row)} == {tgroup["cols"]}


# build_machine.py


def test_one_machine_dependent_cell_is_counted_in_the_singular(tmp_path):
    build_machine = extension("build_machine")
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/02_a\n")
    tagged = {"cell_type": "code", "metadata": {"tags": ["machine-dependent"]}, "source": ""}
    (tmp_path / "book" / "02_a.ipynb").write_text(json.dumps({"cells": [tagged]}))
    # A draft beside the chapters, not in _toc.yml, is not in the book: its cells do not count.
    (tmp_path / "book" / "08_draft.ipynb").write_text(json.dumps({"cells": [tagged]}))
    assert build_machine._machine_dependent(tmp_path) == "1 cell: 1 in 02_a"


def _substitutions(monkeypatch, existing):
    """The substitutions build_machine.py leaves in a config that had `existing`, with
    scripts/cores.py counting 7 usable CPUs."""
    build_machine = extension("build_machine")
    scripts = {"cores.py": {"usable": lambda: 7},
               "reference_machine.py": {"TAG": "machine-dependent", "stored": lambda: {"cpu": "Some CPU 9"}},
               "toc.py": build_machine._script("toc.py")}
    monkeypatch.setattr(build_machine, "_script", scripts.__getitem__)
    config = SimpleNamespace(myst_substitutions=dict(existing))
    build_machine._add_substitutions(SimpleNamespace(srcdir=REPO), config)
    return config.myst_substitutions


def test_the_report_names_the_cpus_the_build_could_use(monkeypatch):
    # Not the host's CPUs (a container may use fewer) nor the chapters run at once (memory may
    # allow fewer): the CPUs scripts/cores.py finds usable.
    assert _substitutions(monkeypatch, {})["build_cores"] == "7"


def test_the_build_machines_substitutions_keep_the_others(monkeypatch):
    substitutions = _substitutions(monkeypatch, {"repository_link": "[a](b)"})
    assert substitutions["repository_link"] == "[a](b)"
    assert set(substitutions) == {"repository_link", "build_cores", "reference_cpu", "machine_dependent"}
    assert substitutions["reference_cpu"] == "Some CPU 9"  # from the record nbval reads


# math_punctuation.py


def test_a_formula_takes_only_the_punctuation_that_touches_it():
    math_punctuation = extension("math_punctuation")
    document = new_document("book/02_from_scratch")
    document += nodes.paragraph("", "", nodes.math(text="a"), nodes.Text("; then \u201c"),
                                nodes.math(text="b"), nodes.Text("\u201d "), nodes.emphasis(text="c"),
                                nodes.math(text="d"), nodes.Text(" . ("), nodes.math(text="e"))
    math_punctuation._keep_punctuation(None, document)
    shown = [
        ("box", node.astext()) if isinstance(node, nodes.inline) else (type(node).__name__, node.astext())
        for node in document[0]
    ]
    assert shown == [
        ("box", "a;"), ("Text", " then "), ("box", "\u201cb\u201d"), ("Text", " "), ("emphasis", "c"),
        ("math", "d"), ("Text", " . "), ("box", "(e"),
    ]
    assert all(node["classes"] == ["math-and-punctuation"] for node in document.findall(nodes.inline))
    # Punctuation alone after a formula goes into the box whole, leaving no empty text behind.
    document += nodes.paragraph("", "", nodes.math(text="f"), nodes.Text(","))
    math_punctuation._keep_punctuation(None, document)
    assert [(type(node).__name__, node.astext()) for node in document[1]] == [("inline", "f,")]


# page_description.py


def _section(*children):
    document = new_document("book/01_data")
    document += nodes.section("", nodes.title(text="A page"), *children)
    return document


def test_a_long_first_paragraph_is_cut_at_a_word_to_the_length_search_engines_show():
    page_description = extension("page_description")
    words = " ".join(f"word{n:02d}," for n in range(40))
    text = page_description.description(_section(nodes.paragraph(text=words)))
    assert len(text) <= page_description.LONGEST and text.endswith("…")
    # Whole words only, the comma before the cut dropped.
    assert words.startswith(text[:-1]) and text[-2:-1].isdigit()
    assert words[len(text) - 1] in " ,"
    short = "One sentence, whole."
    assert page_description.description(_section(nodes.paragraph(text=short))) == short


def test_the_description_skips_paragraphs_outside_the_prose_and_citations():
    page_description = extension("page_description")
    citation = nodes.inline("", "", nodes.Text("[Howard, 2019]"), classes=["bibtex-citation"])
    document = _section(
        nodes.note("", nodes.paragraph(text="In a note.")),
        nodes.bullet_list("", nodes.list_item("", nodes.paragraph(text="In a list."))),
        nodes.container("", nodes.paragraph(text="A cell's output.")),
        nodes.paragraph("", "", nodes.Text("Prose, as read "), citation, nodes.Text(".")),
    )
    assert page_description.description(document) == "Prose, as read."
    assert page_description.description(_section(nodes.note("", nodes.paragraph(text="x")))) is None


# static_files.py


def _static_site(tmp_path):
    """A one-page site with the static files explorer.js, an excluded data file, a hidden file
    and a hidden folder's, built with static_files.py; returns the HTML folder."""
    return build_site(
        tmp_path, "page", ["static_files"],
        {
            "page.md": "# A page\n\nText.\n",
            "../_static/explorer.js": "first",
            "../_static/data.json": "{}",
            "../_static/.explorer.js.swp": "",
            "../_static/.ipynb_checkpoints/explorer-checkpoint.js": "first",
        },
        config={"html_static_path": ["_static"], "exclude_patterns": ["**/data.json"]},
    )


def test_an_edited_static_file_reaches_the_site_on_the_next_build(tmp_path):
    html = _static_site(tmp_path)
    static = tmp_path / "source" / "_static"
    page = html / "book" / "page.html"
    written = page.stat().st_mtime_ns
    # What Sphinx leaves out of the copy changes nothing: no page is written again for it.
    (static / "data.json").write_text('{"new": 1}')
    (static / ".explorer.js.swp").write_text("x")
    (static / ".ipynb_checkpoints" / "explorer-checkpoint.js").write_text("second")
    _build_again(tmp_path, html)
    assert page.stat().st_mtime_ns == written
    (static / "explorer.js").write_text("second")
    _build_again(tmp_path, html)
    assert (html / "_static" / "explorer.js").read_text() == "second"
    # ...and once copied, the next build writes nothing again.
    written = page.stat().st_mtime_ns
    _build_again(tmp_path, html)
    assert page.stat().st_mtime_ns == written


def test_a_static_edit_built_first_for_the_pdf_still_reaches_the_site(tmp_path):
    html = _static_site(tmp_path)
    (tmp_path / "source" / "_static" / "explorer.js").write_text("second")
    _build_again(tmp_path, html, "singlehtml", tmp_path / "singlehtml")
    _build_again(tmp_path, html)
    assert (html / "_static" / "explorer.js").read_text() == "second"
