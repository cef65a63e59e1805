"""What the project's Sphinx extensions (_ext/) put on the pages of a real build: one small book,
loaded with nine of them together, with sphinx-exercise and sphinxcontrib-bibtex (whose
output two of them change) and a stand-in extension that adds inline scripts; built once as
the site (html) and once as the one-page book the PDF is printed from (singlehtml), and read
here (the built site itself is read by tests/browser/). A handler connected to the wrong event either crashes
these builds or does nothing on them:

- unique_ids.py: two exercises and two solutions on a page repeat no id;
- repository_link.py: the front page links the repository _config.yml names;
- page_language.py: a page whose front matter names its language says so, the others stay English,
  and every page carries the list of pages in another language;
- search_compounds.py: the search index holds each hyphenated word written as one too, each -ise
  word as -ize and the other way round, and each pair of neighbouring Chinese characters;
- single_inline_scripts.py: an inline script added twice is written once;
- accessible_cells.py: a folded cell's toggle is named by its visible words, in both builds;
- bibliography_entries.py: in the one-page book too, the entries are list items;
- math_punctuation.py: an inline formula and the punctuation against it share one unbreakable box;
- page_description.py: a page's description is its first paragraph of prose as read, citations left
  out; a page whose text is all in exercises has none.
"""

import json
import re

import pytest

# bs4 comes with the site build itself (pydata-sphinx-theme needs it).
from bs4 import BeautifulSoup
from sphinx_page import CONFIG, CYBENKO1989, REPO, build_site, citation_config

REPOSITORY = CONFIG["repository"]["url"]

INDEX = """# Book

Clone the repository, {{ repository_link }}.

Words the search must find however they are spelled: back-propagation, mini-batch-sized,
initialisation.

```{toctree}
exercises
folded
zh
chapter
bibliography
```
"""

# sphinx-exercise 1.2.1 gives every exercise's body the id "exercise-content", every solution's
# "solution-content".
EXERCISES = """# Exercises

```{exercise} First
:label: ex-first

One.
```

```{solution} ex-first
Answer one.
```

```{exercise} Second
:label: ex-second

Two.
```

```{solution} ex-second
Answer two.
```
"""

ZH = """---
language: zh-Hans
---

# 中文

正文。训练好的模型，MSE损失。
"""

# A chapter as myst-nb reads it with execution off: its stored output, its input folded.
FOLDED = json.dumps({
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                 "language_info": {"name": "python"}},
    "cells": [
        {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Folded"},
        {"cell_type": "code", "id": "folded", "metadata": {"tags": ["hide-input"]}, "execution_count": 1,
         "source": "print(1 + 1)", "outputs": [{"output_type": "stream", "name": "stdout", "text": "2\n"}]},
    ],
})

# A stand-in for sphinx-thebe, which Jupyter Book sets up again after the builder exists: the
# same inline script reaches the page once from Sphinx's registry (filename "") and once from
# the builder's own list (filename None). A second, different script must stay.
INLINE_SCRIPTS = """
def _again(app):
    app.add_js_file(None, body="const A=1;")


def setup(app):
    app.add_js_file(None, body="const A=1;")
    app.add_js_file(None, body="const B=2;")
    app.connect("builder-inited", _again)
"""

EXTENSIONS = [
    "sphinx_exercise", "unique_ids", "repository_link", "page_language", "search_compounds",
    "single_inline_scripts", "inline_scripts", "accessible_cells", "sphinxcontrib.bibtex",
    "bibliography_entries", "math_punctuation", "page_description",
]


def _build(folder, builder):
    """The book above built by Sphinx's `builder` into folder/`builder`, with the site's
    citation settings and its repository."""
    return build_site(
        folder, "index", EXTENSIONS,
        {
            "index.md": INDEX, "exercises.md": EXERCISES, "zh.md": ZH, "folded.ipynb": FOLDED,
            "chapter.md": "# A chapter\n\nA theorem {cite:p}`cybenko1989`, steps ($x$), then $y$.\n",
            "references.bib": CYBENKO1989,
            "bibliography.md": (REPO / "book" / "bibliography.md").read_text(),
            "inline_scripts.py": INLINE_SCRIPTS,
        },
        myst_extensions=["substitution", "dollarmath"],
        config={
            # What Jupyter Book hands the theme from _config.yml's repository.url.
            "html_theme_options": {"repository_url": REPOSITORY},
            **citation_config(),
        },
        builder=builder,
    )


def _page(path):
    return BeautifulSoup(path.read_text(), "html.parser")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The html output folder."""
    return _build(tmp_path_factory.mktemp("site"), "html")


@pytest.fixture(scope="module")
def one_page_book(tmp_path_factory):
    """The singlehtml book, as parsed HTML. myst-nb gives its folded cells no visitor for
    singlehtml: the build itself fails ("unknown node type: HideCodeCellNode") without
    accessible_cells.py's."""
    return _page(_build(tmp_path_factory.mktemp("book"), "singlehtml") / "book" / "index.html")


# unique_ids.py


def test_two_exercises_and_two_solutions_on_a_page_repeat_no_id(site):
    ids = [element["id"] for element in _page(site / "book" / "exercises.html").select("[id]")]
    assert len(ids) == len(set(ids)), sorted(ids)
    assert {"exercise-content", "exercise-content-2", "solution-content", "solution-content-2"} <= set(ids)


# repository_link.py


def test_the_front_page_links_the_repository_that_the_config_names(site):
    links = _page(site / "book" / "index.html").select(f"a[href='{REPOSITORY}']")
    assert [link.get_text() for link in links] == [REPOSITORY.removeprefix("https://")]


# page_language.py


def test_a_page_that_names_its_language_declares_it_and_the_others_stay_english(site):
    chinese = _page(site / "book" / "zh.html")
    assert chinese.html["lang"] == "zh-Hans"
    # Its sections say so too, which keeps the language inside the one-page book.
    assert chinese.select_one("section")["lang"] == "zh-Hans"
    english = _page(site / "book" / "index.html")
    assert english.html["lang"] == "en" and not english.select("section[lang]")


def test_every_page_carries_the_list_of_pages_in_another_language(site):
    # The script that marks the theme's words and the links to such pages reads it, each page
    # by its address from the page, the search page's included.
    for name, address in (("book/index.html", "zh.html"), ("book/zh.html", ""), ("search.html", "book/zh.html")):
        page = (site / name).read_text()
        assert re.search(f'"{re.escape(address)}":\\s*"zh-Hans"', page), name


# search_compounds.py


def _search_terms(site):
    text = (site / "searchindex.js").read_text()
    return json.loads(text[text.index("(") + 1:text.rindex(")")])["terms"]


def test_the_search_index_holds_a_hyphenated_word_both_split_and_joined(site):
    terms = _search_terms(site)
    # English stems of "back-propagation": "back" and "propag" as Sphinx splits it, and
    # "backpropag" for a reader who types "backpropagation".
    assert {"back", "propag", "backpropag"} <= set(terms)
    # Every part of a three-part word is joined: "minibatchsized" stems to "minibatchs"
    # ("minibatch" would be its first two parts alone).
    assert "minibatchs" in terms


def test_the_search_index_holds_a_word_written_ise_as_ize_too(site):
    terms = _search_terms(site)
    # English stems of "initialisation", as written, and of "initialization".
    assert {"initialis", "initi"} <= set(terms)


def test_the_search_index_holds_each_pair_of_neighbouring_chinese_characters(site):
    terms = _search_terms(site)
    # "训练好的模型" is one word to the English splitter; a search for 模型 matches whole words.
    assert {"训练好的模型", "训练", "好的", "模型"} <= set(terms)
    # One that touches Latin letters is kept whole with them, and its pair indexed too.
    assert {"mse损失", "损失"} <= set(terms)
    assert "型。" not in terms and "正文" in terms


# single_inline_scripts.py


def test_an_inline_script_added_twice_is_written_once_and_another_is_kept(site):
    page = (site / "book" / "index.html").read_text()
    assert page.count("<script>const A=1;</script>") == 1
    assert page.count("<script>const B=2;</script>") == 1


# accessible_cells.py


def _folded_toggles(page):
    """The <summary> of each folded cell on `page`."""
    return page.select("details.hide summary")


def test_a_folded_cells_toggle_is_named_by_the_words_it_shows(site):
    toggles = _folded_toggles(_page(site / "book" / "folded.html"))
    assert len(toggles) == 1
    # myst-nb writes aria-label="Toggle hidden content", a name the reader cannot see.
    assert not toggles[0].has_attr("aria-label")
    assert "Show code cell source" in toggles[0].get_text()


# The one-page book the PDF is printed from: accessible_cells.py and bibliography_entries.py
# give their nodes singlehtml visitors; once accessible_cells.py registers one, Sphinx no longer
# falls back to the html visitors for the others, and bibliography_entries.py's must be its own.


def test_in_the_one_page_book_a_folded_cells_toggle_is_named_by_its_words_too(one_page_book):
    toggles = _folded_toggles(one_page_book)
    assert len(toggles) == 1
    assert not toggles[0].has_attr("aria-label")


def test_in_the_one_page_book_the_bibliography_entries_are_list_items(one_page_book):
    entries = one_page_book.select(".citation")
    assert len(entries) == 1
    assert all(entry.parent.get("role") == "list" and entry.get("role") == "listitem" for entry in entries)
    assert not one_page_book.select("[role='doc-biblioentry']")


def test_in_the_one_page_book_a_chinese_pages_section_keeps_its_language(one_page_book):
    # The book shares one <html lang="en">; the page's language stays on its section.
    assert one_page_book.html["lang"] == "en"
    sections = one_page_book.select("section[lang='zh-Hans']")
    assert [section.p.get_text() for section in sections] == ["正文。训练好的模型，MSE损失。"]


# math_punctuation.py


def test_an_inline_formula_shares_a_box_with_the_punctuation_against_it(site):
    paragraph = _page(site / "book" / "chapter.html").find("span", class_="math").find_parent("p")
    boxes = paragraph.find_all("span", class_="math-and-punctuation")
    assert [box.get_text() for box in boxes] == ["(\\(x\\)),", "\\(y\\)."]
    assert all(box.find("span", class_="math") for box in boxes)
    # The spaces around stay outside the boxes, where the line may break.
    assert [str(box.previous_sibling)[-6:] for box in boxes] == ["steps ", " then "]


# page_description.py


def _description(path):
    meta = _page(path).find("meta", attrs={"name": "description"})
    return meta and meta["content"]


def test_a_pages_description_is_its_first_paragraph_as_read_without_citations(site):
    assert _description(site / "book" / "chapter.html") == "A theorem, steps (x), then y."
    assert _description(site / "book" / "zh.html") == "正文。训练好的模型，MSE损失。"
    assert _description(site / "book" / "exercises.html") is None
