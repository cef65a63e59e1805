"""Sphinx extension: every id on a page is unique.

sphinx-exercise 1.2.1 gives the body of every exercise the id "exercise-content" and of every
solution "solution-content", so a chapter with two exercises repeats both ids (invalid HTML;
a link or an aria reference to one finds the first). After references are resolved, each
repeated id on a page gets a suffix ("-2", "-3", ...). tests/browser/test_page_semantics.py
checks every page.
"""

from docutils import nodes


def _make_ids_unique(app, doctree, docname):
    seen = set()
    for node in doctree.findall(nodes.Element):
        ids = node.get("ids", [])
        for position, node_id in enumerate(ids):
            unique, count = node_id, 1
            while unique in seen:
                count += 1
                unique = f"{node_id}-{count}"
            ids[position] = unique
            seen.add(unique)


def setup(app):
    app.connect("doctree-resolved", _make_ids_unique)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
