"""Whether to draw progress bars: the one place that reads LESSON5_PROGRESS.

Used by the training loop's live bar (book/02_from_scratch.ipynb) and by downloads
(book/01_data.ipynb). Bars are for people watching; the build and the tests set
LESSON5_PROGRESS=0 so that no bar ends up in a stored output.
"""

import os


def progress_enabled():
    """False when the environment variable LESSON5_PROGRESS is "0"; True otherwise."""
    return os.environ.get("LESSON5_PROGRESS", "1") != "0"
