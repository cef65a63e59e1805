"""Tests for lesson5.checksum (book/01_data.ipynb, book/07_transfer.ipynb)."""

import hashlib
import io

import pytest

from lesson5.checksum import read_hashed, sha256_hex

DATA = bytes(range(256)) * 3 + b"tail"


def test_sha256_hex_is_hashlib_hexdigest():
    assert sha256_hex(DATA) == hashlib.sha256(DATA).hexdigest()
    # The published SHA-256 of b"abc" (FIPS 180-2, appendix B.1): not just hashlib against itself.
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_read_hashed_reads_to_the_end_and_hashes_those_bytes():
    f = io.BytesIO(DATA)
    data, digest = read_hashed(f)
    assert data == DATA
    assert digest == hashlib.sha256(data).hexdigest()
    assert f.read() == b""


@pytest.mark.parametrize("limit", [0, 1, 100, len(DATA), len(DATA) + 10])
def test_read_hashed_stops_at_the_limit(limit):
    f = io.BytesIO(DATA)
    data, digest = read_hashed(f, limit)
    assert data == DATA[:limit]
    assert digest == hashlib.sha256(DATA[:limit]).hexdigest()
    # The rest of the file is left unread, for the caller to see whether there was more.
    assert f.read() == DATA[limit:]


def test_read_hashed_starts_where_the_file_is():
    f = io.BytesIO(DATA)
    f.seek(10)
    data, digest = read_hashed(f, 5)
    assert data == DATA[10:15] and digest == sha256_hex(DATA[10:15])


def test_what_is_hashed_is_what_is_returned():
    # A file that changes under the reader: each read returns different bytes. The hash must
    # describe the bytes handed back, not a second read of the file.
    class Changing(io.RawIOBase):
        def __init__(self):
            self.reads = 0

        def read(self, size=-1):
            self.reads += 1
            return f"version {self.reads}".encode()

    f = Changing()
    data, digest = read_hashed(f)
    assert f.reads == 1
    assert digest == hashlib.sha256(data).hexdigest()
