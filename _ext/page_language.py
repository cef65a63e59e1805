"""Sphinx extension: a page written in another language says so in <html lang="...">.

The book is English (Sphinx's `language`), but book/overview_zh.md is Chinese: declared
lang="en", screen readers read it with English rules and browsers pick Latin fonts for it.
A page names its language in its front matter (`language: zh-Hans`); this sets the page's
lang attribute from it, and its sections' too, which keep it inside the one-page book the PDF
is printed from, where every page shares one <html>. tests/browser/test_page_semantics.py and
test_pdf.py check both.
"""

from docutils import nodes


def _set_page_language(app, pagename, templatename, context, doctree):
    language = app.env.metadata.get(pagename, {}).get("language")
    if language:
        context["language"] = language


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
