"""Reading a file's bytes once, with their SHA-256: what is checked is what is used.

Introduced in book/01_data.ipynb — The data (the dataset cache, through `lesson5.download`);
book/07_transfer.ipynb relies on it for weight files, through `lesson5.weights`. Hashing the
bytes in hand, rather than a path that is opened again later, means no file swapped in between
can be parsed unchecked.
"""

import hashlib
from typing import BinaryIO


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def read_hashed(file: BinaryIO, limit: int = -1) -> tuple[bytes, str]:
    """Reads `file` to its end, or `limit` bytes if that comes first; returns the bytes and their hex SHA-256."""
    data = file.read(limit)
    return data, sha256_hex(data)
