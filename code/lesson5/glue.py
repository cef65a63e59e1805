"""Putting computed numbers into a chapter's prose.

Used by every chapter (first in book/01_data.ipynb): prose never types a measured number,
it names a value glued by a code cell, as {glue:}`name`.
"""


class _Text:
    """Displays as exactly its text: a glued string shows without quotes."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def glue(name, value, fmt="{}"):
    """Glues `value` formatted with `fmt` (e.g. "{:.1%}") under `name`, without showing it here.

    The value is formatted first, so the page shows the same digits the code computed and
    no NumPy scalar reaches myst-nb's own formatter.
    """
    from myst_nb import glue as myst_glue

    if hasattr(value, "item"):
        value = value.item()
    text = fmt.format(value)
    myst_glue(name, _Text(text), display=False)
    return text
