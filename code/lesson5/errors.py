"""The one exception the data layer raises: `DataError`.

Introduced in book/01_data.ipynb — The data. It lives on its own so that a parser (lesson5.idx)
can raise it without importing the downloader.
"""


class DataError(RuntimeError):
    """A data file could not be obtained, or is not what the manifest says it is.

    Introduced in book/01_data.ipynb — The data. The message says which file and what to do.
    """
