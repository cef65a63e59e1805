"""Sphinx extension: a folded code cell's toggle is named by the words it shows.

myst-nb 1.4 writes every folded cell (tags hide-input, hide-cell) as
<summary aria-label="Toggle hidden content"> around the visible words "Show code cell
content", so a screen reader announces a name the reader cannot see, and speech-input users
cannot say what they see (WCAG 2.5.3; axe's label-content-name-mismatch). Without the label the
summary is named by its visible text. tests/browser/test_accessibility.py checks every page.
The same visitor serves the singlehtml builder, which myst-nb leaves without one.
"""

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput

_LABEL = ' aria-label="Toggle hidden content"'


def _visit_named_by_its_text(self, node):
    start = len(self.body)
    visit_HideCellInput(self, node)
    self.body[start:] = [part.replace(_LABEL, "") for part in self.body[start:]]


def setup(app):
    # myst-nb registers the node for the html builder only; singlehtml (the one-page book the
    # PDF is printed from, scripts/pdf.sh) failed on it with "unknown node type".
    visitors = (_visit_named_by_its_text, depart_HideCellInput)
    app.add_node(HideCodeCellNode, override=True, html=visitors, singlehtml=visitors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
