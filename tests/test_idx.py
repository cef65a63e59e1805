"""lesson5.idx.read_idx on small IDX files built here."""

import struct

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lesson5.errors import DataError
from lesson5.idx import read_idx


def idx_bytes(array: np.ndarray, element_type: int = 0x08) -> bytes:
    header = struct.pack(">HBB", 0, element_type, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


IMAGES = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
LABELS = np.array([7, 0, 255], dtype=np.uint8)


def test_images_and_labels_round_trip():
    images = read_idx(idx_bytes(IMAGES), "images")
    assert images.dtype == torch.uint8 and images.shape == (2, 3, 4)
    assert images.tolist() == IMAGES.tolist()
    assert read_idx(idx_bytes(LABELS), "labels").tolist() == [7, 0, 255]


@settings(deadline=None)  # the first call may be slow on a busy machine; speed is not the point
@given(arrays(np.uint8, st.one_of(st.tuples(st.integers(0, 50)),
                                  st.tuples(st.integers(0, 5), st.integers(0, 9), st.integers(0, 9)))))
def test_any_byte_array_round_trips(array):
    assert np.array_equal(read_idx(idx_bytes(array), "a").numpy(), array)


def test_result_is_writable_and_owns_its_memory():
    data = idx_bytes(LABELS)
    labels = read_idx(data, "labels")
    labels[0] = 1
    assert data == idx_bytes(LABELS)


@pytest.mark.parametrize("data, problem", [
    (b"\x00\x00", "too short"),
    (b"\x00\x00\x08", "too short"),
    (b"\x12\x34\x08\x01" + idx_bytes(LABELS)[4:], "not an IDX file: it starts with 0x12340801"),
    (idx_bytes(LABELS, element_type=0x0D), "element type 0x0d"),
    (struct.pack(">HBB2I", 0, 8, 2, 1, 1) + b"\x00", "2 dimensions"),
    (idx_bytes(IMAGES)[:10], "header is cut short"),
    (idx_bytes(IMAGES)[:-1], "shape \\(2, 3, 4\\), which is 24 bytes of data, but 23 bytes follow"),
    (idx_bytes(LABELS) + b"\x00", "3 bytes of data, but 4 bytes follow"),
    # Empty (one dimension is 0), yet numpy cannot shape it: "array is too big".
    (struct.pack(">HBB3I", 0, 8, 3, 0, 2**32 - 1, 2**32 - 1), "too large for any array"),
], ids=["too-short", "three-bytes", "wrong-magic", "wrong-dtype", "wrong-ndim", "short-header", "truncated",
        "extra-bytes", "too-big"])
def test_malformed_files_raise_data_error_naming_the_file(data, problem):
    with pytest.raises(DataError, match=problem) as error:
        read_idx(data, "t10k-images-idx3-ubyte")
    assert str(error.value).startswith("t10k-images-idx3-ubyte")


@settings(deadline=None, max_examples=300)
@given(st.sampled_from([1, 3]), st.lists(st.integers(0, 2**32 - 1), min_size=3, max_size=3), st.binary(max_size=64))
def test_any_header_gives_a_tensor_or_a_data_error(ndim, dims, body):
    data = struct.pack(f">HBB{ndim}I", 0, 8, ndim, *dims[:ndim]) + body
    try:
        tensor = read_idx(data, "fuzzed")
    except DataError as error:
        assert str(error).startswith("fuzzed")
    else:
        assert tuple(tensor.shape) == tuple(dims[:ndim])
