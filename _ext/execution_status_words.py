"""Sphinx extension: the execution report says "succeeded" or "failed" in words.

myst-nb's {nb-exec-table} marks each chapter's status with the emoji ✅ or ❌. Without an
emoji font (common on Linux, and on the machines that test the site) ✅ is drawn as an empty
box, and screen readers announce it as "check mark button". After myst-nb has built the
table (its post-transform runs at priority 8), each status cell holding one of the two marks
gets the word instead. tests/browser/test_execution_report.py reads the built report.
"""

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

_WORDS = {"✅": "succeeded", "❌": "failed"}


class ExecutionStatusWords(SphinxPostTransform):
    default_priority = 9

    def run(self, **kwargs):
        for entry in self.document.findall(nodes.entry):
            word = _WORDS.get(entry.astext().strip())
            if word:
                entry.children = []
                entry += nodes.paragraph(text=word)


def setup(app):
    app.add_post_transform(ExecutionStatusWords)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
