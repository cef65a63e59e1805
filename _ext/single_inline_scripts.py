"""Sphinx extension: write each inline <script> once per page.

Jupyter Book 1.x re-runs sphinx-thebe's set-up on every read of the sources, and Sphinx 7.4
keeps each call's inline script, so every page declared `const THEBE_JS_URL` twice and the
browser reported "Identifier 'THEBE_JS_URL' has already been declared" on every page
(tests/browser checks the console stays clean). Identical script entries are dropped here,
just before each page is written; the first of each is kept, in its place.
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen = set()
    unique = []
    for script in context.get("script_files", []):
        # An inline script's filename is None in one copy and "" in the other.
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    # In place: the list is the builder's own, and handlers after this one add to it.
    context["script_files"][:] = unique


def setup(app):
    # Late: Sphinx calls every html-page-context handler (it keeps the first template name one
    # returns, and calls the rest too), so this one sees the scripts the others add as well.
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
