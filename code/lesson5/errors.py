"""The exception the data layer raises when a data file is missing or wrong: `DataError`.

Part of the data layer of book/01_data.ipynb — The data, which describes the downloads and checks
that raise it (a wrong argument, such as an unknown dataset name, is a ValueError instead). It
lives on its own so that a parser (lesson5.idx) can raise it without importing the downloader.
"""


class DataError(RuntimeError):
    """A data file could not be obtained, or is not what the manifest says it is.

    Raised by the data layer of book/01_data.ipynb — The data. The message says which file
    (or setting) is at fault and what to do.
    """


class CacheError(DataError):
    """The cache itself failed (full disk, no permission, something in the way of a file or folder).

    A `DataError` that no other URL or mirror would avoid, so `lesson5.download` stops at it
    rather than trying the next URL.
    """
