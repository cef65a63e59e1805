"""Sphinx extension: the optimizer explorer's data travels inside the page that shows it.

_static/explorer/explorer.js draws the paths that lesson5.explorer wrote to
_static/explorer/trajectories.json. A browser does not let a page opened from disk (a file://
address, as when a reader opens _build/html/index.html) fetch another file, so the explorer
would only work on a served site. Instead, each page holding an explorer (chapter 04, and the
one-page book the PDF is printed from) carries the data in a <script type="application/json">
just before it, and the script reads it from there, from disk or from a server alike.
"""

import json
from pathlib import Path

# Where `python -m lesson5.explorer` is told to write, from the repository root.
WRITTEN_TO = "_static/explorer/trajectories.json"
DATA = Path(__file__).resolve().parents[1] / WRITTEN_TO
# What chapter 04's output cell writes where the explorer goes.
EXPLORER = '<div class="optimizer-explorer">'
DATA_CLASS = "optimizer-explorer-data"


def with_data(body, data_text):
    """`body` (a page's HTML) with the explorer's data before each explorer it holds."""
    # "</" would end the script element early; JSON allows "<\/" for it.
    escaped = data_text.replace("</", "<\\/")
    script = f'<script type="application/json" class="{DATA_CLASS}">{escaped}</script>'
    return body.replace(EXPLORER, script + EXPLORER)


def _embed(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if EXPLORER not in body:
        return
    # Failing the build here, where a reader's browser would only say the explorer is broken.
    fix = f"write it with `python -m lesson5.explorer {WRITTEN_TO}`"
    try:
        text = DATA.read_text(encoding="utf-8")
        json.loads(text)
    except FileNotFoundError:
        raise FileNotFoundError(f"no {DATA}: {fix}") from None
    except ValueError as error:
        raise ValueError(f"{DATA} is not valid JSON ({error}): {fix}") from None
    context["body"] = with_data(body, text)


def _depend_on_the_data(app, doctree):
    """A page holding an explorer is written again when the data changes, as it would be
    when its own source changes (an incremental build keeps the pages it need not rewrite)."""
    if EXPLORER in doctree.astext():
        app.env.note_dependency(str(DATA))


def setup(app):
    app.connect("doctree-read", _depend_on_the_data)
    app.connect("html-page-context", _embed)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
