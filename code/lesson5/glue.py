"""Putting computed numbers into a chapter's prose, and checking the words it reads from them.

Used by every chapter (first in book/01_data.ipynb): prose never types a measured number,
it names a value glued by a code cell, as {glue:}`name`; where its words read a direction
from a run ("falls", "smaller"), `text_reads` checks the run bears it out.
"""

import sys
import warnings

from .progress import in_notebook, progress_enabled, stored_run

# myst-nb finds a glued value by this prefix on the output's MIME types and by the name in
# the output's "scrapbook" metadata (its glue extension). Writing that output here, rather
# than calling myst_nb.glue, spares every chapter's kernel the import of myst-nb and Sphinx
# (seconds, on a laptop), which only the site build needs.
_GLUE_MIME_PREFIX = "application/papermill.record/"


def glue_output(name, text, markdown=False):
    """The display output (data, metadata) that glues `text` under `name`, hidden in place;
    with `markdown`, as Markdown too."""
    data = {f"{_GLUE_MIME_PREFIX}text/plain": text}
    if markdown:
        data[f"{_GLUE_MIME_PREFIX}text/markdown"] = text
    metadata = {"scrapbook": {"name": name, "mime_prefix": _GLUE_MIME_PREFIX}}
    return data, metadata


def glued_name(output):
    """The name a stored cell output glues its value under, where `glue_output` writes it, or
    None for an output that glues nothing. The tests and nbval's conftest read it back."""
    return output.get("metadata", {}).get("scrapbook", {}).get("name")


def glue(name, value, fmt="{}", markdown=False):
    """Glues `value` formatted with `fmt` (e.g. "{:.1%}") under `name`, without showing it here.

    The value is formatted first, so the page shows the same digits the code computed and
    no NumPy scalar reaches a formatter of its own. With `markdown`, the text is Markdown
    too, for prose that writes {glue:md}`name` (film titles in italics, in
    book/06_collab.ipynb).

    Only the site build puts the values into the prose: a person running a chapter in
    JupyterLab or Colab reads {glue:}`name` there. So unless LESSON5_PROGRESS=0
    (`lesson5.progress`, as the build and the tests set it), the cell also prints
    "name: value", beside the code that computed it; outside a notebook that line is all.
    """
    if hasattr(value, "item"):
        value = value.item()
    text = fmt.format(value)
    if "`" in text and not markdown:
        # {glue:} puts text in as it is: the page would show the backticks themselves.
        raise ValueError(f"glued text {name!r} holds backticks, which {{glue:}} shows as they are: glue it "
                         f"with markdown=True and write {{glue:md}}`{name}`, or leave them out")
    if in_notebook():
        from IPython.display import display

        data, metadata = glue_output(name, text, markdown)
        display(data, raw=True, metadata=metadata)
    # Outside a notebook there is no output to store the value in (IPython's display would
    # print the raw MIME dict): a person running the code sees the line alone.
    if progress_enabled():
        print(f"{name}: {text}")
    return text


class ReadingWarning(UserWarning):
    """A person's run of a chapter measured something other than what the chapter's text
    reads from the book's run (`text_reads`)."""


def text_reads(reading, holds):
    """Checks that this run bears out a reading the chapter's words make of its results: the
    text reads `reading` ("the loss as falling"), and `holds` says whether this run agrees.

    Where LESSON5_PROGRESS=0, as the build and the tests set it (`lesson5.progress.stored_run`),
    a reading that does not hold raises AssertionError, on any machine, since the book would
    print words its own numbers contradict. In any other run, a person's (in JupyterLab or
    Colab, on another CPU, on a GPU, or after they changed a cell, as the exercises ask), it
    warns with a `ReadingWarning` instead and the chapter goes on: the words were written from
    the book's run, the numbers printed are this one's.
    A fact that must hold wherever the code runs (an identity, a count in the data) is an
    `assert` instead. First in book/01_data.ipynb.
    """
    if holds:
        return
    message = f"The text reads {reading}, and this run does not bear that out"
    if stored_run():
        raise AssertionError(message)
    caller = sys._getframe(1)
    # At the caller's line, with a registry of its own: warnings.warn's would show a warning
    # once per line, and a person who changes a cell and runs it again must hear again.
    warnings.warn_explicit(
        f"{message}. The text was written from the book's run; on another machine or after a "
        "change to a cell, a run can differ. The chapter goes on, and the numbers printed are "
        "this run's.", ReadingWarning, caller.f_code.co_filename, caller.f_lineno,
        module=caller.f_globals.get("__name__"), registry=None)


def listed(items, noun=None):
    """'a, b and c': `items` (any iterable; each shown as str() shows it) as a list in an
    English sentence, for a glued value the prose reads as words (in chapters 02 to 07: among
    them book/04_optimizers.ipynb's widest spans, book/05_weight_decay.ipynb's grids and
    book/06_collab.ipynb's film titles). With `noun`, the noun comes first, with an s unless
    there is one item: 'width 8', 'widths 2 and 8' (book/02_from_scratch.ipynb)."""
    words = [str(item) for item in items]
    if not words:
        raise ValueError("listed() needs at least one item to put in a sentence")
    *others, last = words
    text = f"{', '.join(others)} and {last}" if others else last
    if noun is None:
        return text
    return f"{noun}{'s' if others else ''} {text}"


def counted(n, noun):
    """'1 image', '22 images', '1,000 images': a count and its noun, with an s unless the count
    is 1, for a glued count the prose reads as words (first in book/01_data.ipynb)."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def times(ratio):
    """How many times larger, as a reader writes it: two significant digits below 100, a
    whole number from there ('4.7', '17', '150'), never in e-notation. `ratio` is at least 1;
    a chapter puts the direction in words ("4.7 times faster", "1.4× slower";
    book/03_cross_entropy.ipynb, book/07_transfer.ipynb)."""
    if not ratio >= 1:
        raise ValueError(f"times() writes a ratio of 1 or more, got {ratio!r}: invert it and "
                         "say the other direction in words")
    # Two digits round 99.5 and up to 100, which .2g writes as "1e+02".
    short = f"{ratio:.2g}"
    return short if "e" not in short else f"{ratio:,.0f}"


def points(gap, signed=True, places=2):
    """A gap between two fractions (accuracies) in percentage points, to `places` decimals:
    signed, never "-0.00", or (`signed=False`) its size alone. book/07_transfer.ipynb's
    held-out gaps, and the cross-fit's sentences (`lesson5.compare.cross_fit_reading`,
    book/02_from_scratch.ipynb)."""
    if not signed:
        return f"{abs(gap) * 100:.{places}f}"
    return f"{round(gap * 100, places) + 0.0:+.{places}f}"
