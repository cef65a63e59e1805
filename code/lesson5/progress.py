"""Whether a person is watching: the one place that reads LESSON5_PROGRESS.

Used by the training loop's live bar (book/02_from_scratch.ipynb), by downloads
(book/01_data.ipynb) and by `lesson5.glue`, which shows a person running a chapter the values
its prose names. Those are for people watching; the build and the tests set
LESSON5_PROGRESS=0 so that none of them ends up in a stored output. `stored_run` reads the
same setting the other way round, for what must fail loudly where outputs are made or checked
(a LibreOffice that cannot recalculate, `lesson5.workbooks.calc`).
"""

import os


def progress_enabled():
    """False when the environment variable LESSON5_PROGRESS is "0"; True otherwise."""
    return os.environ.get("LESSON5_PROGRESS", "1") != "0"


def stored_run():
    """Whether this run makes or checks the book's stored outputs (the build, nbval), which
    all set LESSON5_PROGRESS=0: no one is watching, and a fallback would be published."""
    return not progress_enabled()


def in_notebook():
    """Whether this code runs in an IPython shell (a notebook's kernel, in JupyterLab or Colab,
    or the ipython terminal), where a display can be stored, not in a plain script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None
