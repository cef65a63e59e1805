"""Sphinx extension: the bibliography's entries carry the labels the chapters cite them by.

Chapters cite author-year, "[Cybenko, 1989]" (bibtex_reference_style in _config.yml), while
pybtex's styles label the list alphabetically, "[Cyb89]", so a reader who follows a citation
lands on a label that is not the one they clicked. The style registered here,
"plain_author_year" (set as bibtex_default_style), is pybtex's plain style with each label
written by sphinxcontrib-bibtex's own author-year template, the one that writes the citations.
It lists the entries by their authors' names as they read: pybtex's sorting keeps the braces that
protect a corporate author's name ("{fast.ai}", "{PyTorch contributors}"), and "{" sorts after
"z", which put those entries after Zeiler; and an entry with no author, labelled by its title,
sorted first, as if its author's name were empty.

The list itself: docutils writes it as role="list" holding role="doc-biblioentry" items,
a role ARIA 1.2 deprecates and that a list may not hold (axe: aria-required-children, critical;
aria-deprecated-role). Its entries are written as list items instead, on the site and in the
one-page book the PDF is printed from. tests/browser/test_bibliography.py,
test_accessibility.py and test_pdf.py check them.

An edit to the .bib file changes what citations on other pages show (an entry's authors or
year), and Sphinx rewrites only the pages whose source changed: the others would keep the old
citations until a build from scratch. After such an edit every page is rewritten.
"""

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pybtex.plugin
from docutils import nodes
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitle
from sphinx.writers.html5 import HTML5Translator
from sphinxcontrib.bibtex.style.referencing import PersonStyle
from sphinxcontrib.bibtex.style.template import join, year

_PERSON = PersonStyle()
_AUTHOR_YEAR = join(sep=", ")[_PERSON.author_or_editor_or_title(full=False), year]


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        style = SimpleNamespace(person=_PERSON)
        for entry in sorted_entries:
            label = _AUTHOR_YEAR.format_data({"entry": entry, "style": style})
            yield label.render_as("text")


class ReadingOrder(AuthorYearTitle):
    def sorting_key(self, entry):
        authors, year, title = super().sorting_key(entry)
        # An entry with no author is labelled, and so looked for, by its title.
        return (authors or _unbraced(title.lower()), year, title)

    def person_key(self, person):
        return _unbraced(super().person_key(person))


def _unbraced(text):
    return text.replace("{", "").replace("}", "")


class PlainAuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = ReadingOrder


def _visit_citation(self, node):
    start = len(self.body)
    HTML5Translator.visit_citation(self, node)
    self.body[start:] = [
        part.replace('role="doc-biblioentry"', 'role="listitem"') for part in self.body[start:]
    ]


def _bibfiles_digest(app):
    digest = hashlib.sha256()
    for name in app.config.bibtex_bibfiles:
        digest.update(Path(app.srcdir, name).read_bytes())
    return digest.hexdigest()


def _rewrite_every_page_after_a_bib_edit(app, env):
    digest = _bibfiles_digest(app)
    # Kept in the pickled environment, so the next build compares with this one, and one for
    # each builder: the site and the one-page book for the PDF share what Sphinx read, and the
    # site writes only the pages read again or returned here, so a .bib edit that the PDF's
    # build saw first must still rewrite the site's pages.
    env.lesson5_bibfiles_digests = digests = getattr(env, "lesson5_bibfiles_digests", {})
    if digests.get(app.builder.name) == digest:
        return []
    digests[app.builder.name] = digest
    return sorted(env.found_docs)


def setup(app):
    pybtex.plugin.register_plugin(
        "pybtex.style.formatting", "plain_author_year", PlainAuthorYearStyle
    )
    visitors = (_visit_citation, HTML5Translator.depart_citation)
    app.add_node(nodes.citation, override=True, html=visitors, singlehtml=visitors)
    app.connect("env-updated", _rewrite_every_page_after_a_bib_edit)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
