"""Sphinx extension: every id on a page is unique.

sphinx-exercise 1.2.1 gives the body of every exercise the id "exercise-content" and of every
solution "solution-content", so a chapter with two exercises repeats both ids (invalid HTML;
a link or an aria reference to one finds the first). After references are resolved, each
repeated id on a page gets the first suffix ("-2", "-3", ...) that no id on the page has: a
page's own "a-2" keeps its id, and a repeated "a" becomes "a-3". tests/browser/test_page_semantics.py
checks every page.
"""

from docutils import nodes


def _make_ids_unique(app, doctree, docname):
    elements = list(doctree.findall(nodes.Element))
    # Every id the page has is taken before any is renamed: a repeat numbered "a-2" would
    # otherwise take the id of an element "a-2" further down, and a link to #a-2 would land on it.
    taken = {node_id for node in elements for node_id in node.get("ids", [])}
    seen = set()
    for node in elements:
        ids = node.get("ids", [])
        for position, node_id in enumerate(ids):
            if node_id in seen:
                count = 2
                while f"{node_id}-{count}" in taken:
                    count += 1
                ids[position] = f"{node_id}-{count}"
                taken.add(ids[position])
            seen.add(ids[position])


def setup(app):
    app.connect("doctree-resolved", _make_ids_unique)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
