"""Sphinx extension: an inline formula keeps the punctuation written against it on its line.

MathJax draws an inline formula as one box, and a browser may break a line on either side of
a box, even before a comma: "... steps by buf ← βbuf + g" ended one line and ", plain
momentum" began the next (04 at 1280 px, 02 at 390). Each inline formula is wrapped, with the
punctuation that touches it (an opening bracket or quote before, a closing one or a stop
after), in a span that _static/reader.css keeps on one line. Formulas themselves are never
broken by MathJax 3, so the span takes no break away from them. tests/browser/test_code_width.py
checks every page at a desktop's and two phones' widths.
"""

import re

from docutils import nodes

CLASS = "math-and-punctuation"
_BEFORE = re.compile(r"[(\[\u2018\u201c]+$")
_AFTER = re.compile(r"^[,.;:!?)\]\u2019\u201d]+")


def _touching(text, pattern):
    """The punctuation in `text` (a text node, or None) that touches the formula beside it, or
    "" where there is none."""
    match = pattern.search(text) if isinstance(text, nodes.Text) else None
    return match.group() if match else ""


def _keep_punctuation(app, doctree):
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        index = parent.index(math)
        before = parent[index - 1] if index > 0 else None
        after = parent[index + 1] if index + 1 < len(parent) else None
        opening, closing = _touching(before, _BEFORE), _touching(after, _AFTER)
        if not (opening or closing):
            continue
        box = nodes.inline(classes=[CLASS])
        new, start, end = [box], index, index + 1
        if opening:
            box += nodes.Text(opening)
            new.insert(0, nodes.Text(before[: -len(opening)]))
            start -= 1
        box += math
        if closing:
            box += nodes.Text(closing)
            new.append(nodes.Text(after[len(closing):]))
            end += 1
        # A docutils node is true even when empty: a Text is kept only if it holds text.
        parent[start:end] = [node for node in new if not isinstance(node, nodes.Text) or str(node)]


def setup(app):
    app.connect("doctree-read", _keep_punctuation)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
