"""Sphinx extension: a page written in another language says so in <html lang="...">.

The book is English (Sphinx's `language`), but book/overview_zh.md is Chinese: declared
lang="en", screen readers read it with English rules and browsers pick Latin fonts for it.
A page names its language in its front matter (`language: zh-Hans`); this sets the page's
lang attribute from it, and its sections' too, which keep it inside the one-page book the PDF
is printed from, where every page shares one <html>. tests/browser/test_page_semantics.py and
test_pdf.py check both.

The theme's own words around such a page's article stay in the book's language (its header,
the sidebars' captions and chapter titles, "Contents", previous and next, the footer, the
search dialog): marked as the page's, a screen reader read "Chapters" and each English title
with Chinese rules. And on every page of the site, a link to such a page whose words are in its
language (the sidebar's 第五课概览（中文）, an English page's link to it) says so (lang and
hreflang): without it, the English pages read that title with English rules. An inline script
in each page's head marks both once the page is read, from the list of pages in another
language. (Search results are listed later, and are not marked.)
"""

import json

from docutils import nodes

_THEMES_WORDS = (
    ".skip-link, .bd-header, .bd-header-article, #pst-back-to-top, .bd-sidebar-primary, "
    ".onthispage, .prev-next-area, .bd-footer, .bd-footer-content, #pst-search-dialog"
)

# Marks the theme's words with the book's language on a page in another, and each link to a page
# in another language, whose words are in it, with that language: the link's title alone where
# the link also holds the theme's words ("Next"). In the head, so that the pages with no body
# of their own (search, index) have it too.
_MARK_PARTS = """<script>document.addEventListener("DOMContentLoaded", () => {
  const book = %(book)s, pages = %(pages)s;
  if (document.documentElement.lang !== book) {
    for (const part of document.querySelectorAll(%(words)s)) { part.lang = book; }
  }
  const languages = new Map(Object.entries(pages).map(([page, lang]) => [new URL(page, location.href).href, lang]));
  for (const link of document.querySelectorAll("a[href]")) {
    const lang = languages.get(link.href.split("#")[0]);
    if (!lang) { continue; }
    link.hreflang = lang;
    const title = link.querySelector(".prev-next-title") || link;
    if (/\\p{Script=Han}/u.test(title.textContent)) { title.lang = lang; }
  }
});</script>"""


def _set_page_language(app, pagename, templatename, context, doctree):
    language = app.env.metadata.get(pagename, {}).get("language")
    if language:
        context["language"] = language
    # The one-page book links its pages within itself, where each keeps its language (below).
    if app.builder.name != "html":
        return
    # Each page in another language, by its address from this page.
    pages = {
        app.builder.get_relative_uri(pagename, docname): meta["language"]
        for docname, meta in app.env.metadata.items()
        if meta.get("language")
    }
    if pages:
        context["metatags"] = context.get("metatags", "") + _MARK_PARTS % {
            "book": json.dumps(app.config.language or "en"),
            "pages": json.dumps(pages, ensure_ascii=False),
            "words": json.dumps(_THEMES_WORDS),
        }


def _mark_sections(app, doctree):
    language = app.env.metadata.get(app.env.docname, {}).get("language")
    if language:
        # docutils writes a "language-" class as the element's lang attribute.
        for section in doctree.children:
            if isinstance(section, nodes.section):
                section["classes"].append(f"language-{language}")


def setup(app):
    app.connect("html-page-context", _set_page_language)
    # After Sphinx has read the page's front matter into env.metadata (priority 500).
    app.connect("doctree-read", _mark_sections, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
