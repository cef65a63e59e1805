"""Sphinx extension: each page describes itself to search engines and link previews.

Without a <meta name="description">, a search engine makes up a snippet from the page's text,
which begins with the theme's "Skip to main content" and the sidebar's titles. Each page's
description is its own first paragraph of prose, one in sections alone (not in a note, a list,
a table, an exercise or a cell's output), as the reader sees it (glued numbers in, a formula
as its TeX) without its citations, cut at a word to at most LONGEST characters, about where
search engines cut it anyway. A page with no such paragraph (search, the index) gets none.
tests/test_ext_units.py and test_ext_pages.py check it; tests/browser/test_page_semantics.py,
the site's.
"""

import html
import re

from docutils import nodes

# Search engines show about 155 to 160 characters of a description.
LONGEST = 160


def _words(paragraph):
    """The paragraph's text, each citation left out (its authors and years in brackets)."""
    for text in paragraph.findall(nodes.Text):
        ancestor = text.parent
        while ancestor is not paragraph and "bibtex-citation" not in ancestor.get("classes", ()):
            ancestor = ancestor.parent
        if ancestor is paragraph:
            yield text.astext()


def _in_sections_alone(paragraph):
    """Whether every element around the paragraph is a section (sphinx-exercise puts an
    exercise's body in a section of its own, inside the exercise)."""
    ancestor = paragraph.parent
    while isinstance(ancestor, nodes.section):
        ancestor = ancestor.parent
    return isinstance(ancestor, nodes.document)


def description(doctree):
    """The first paragraph of `doctree` that sits in sections alone, as one line of text
    cut to at most LONGEST characters at a word (with an ellipsis), or None."""
    for paragraph in doctree.findall(nodes.paragraph):
        if not _in_sections_alone(paragraph):
            continue
        text = " ".join("".join(_words(paragraph)).split())
        # A citation's words left out, the space before it goes too.
        text = re.sub(r" ([.,;:)])", r"\1", text)
        if not text:
            continue
        if len(text) <= LONGEST:
            return text
        # Room for the ellipsis; a word cut in two is dropped.
        cut = text[: LONGEST - 1]
        if not text[LONGEST - 1].isspace():
            cut = cut.rsplit(" ", 1)[0]
        return cut.rstrip(" ,;:(") + "…"
    return None


def _add_description(app, pagename, templatename, context, doctree):
    text = description(doctree) if doctree is not None else None
    if text:
        meta = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
        context["metatags"] = context.get("metatags", "") + meta


def setup(app):
    app.connect("html-page-context", _add_description)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
