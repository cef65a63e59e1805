"""Sphinx extension: a page written in another language says so in <html lang="...">.

The book is English (Sphinx's `language`), but book/overview_zh.md is Chinese: declared
lang="en", screen readers read it with English rules and browsers pick Latin fonts for it.
A page names its language in its front matter (`language: zh-Hans`); this sets the page's
lang attribute from it. tests/browser/test_page_semantics.py checks it.
"""


def _set_page_language(app, pagename, templatename, context, doctree):
    language = app.env.metadata.get(pagename, {}).get("language")
    if language:
        context["language"] = language


def setup(app):
    app.connect("html-page-context", _set_page_language)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
