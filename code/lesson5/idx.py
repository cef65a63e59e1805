"""Reading IDX, the simple binary format MNIST and Fashion-MNIST are published in.

Read by `lesson5.datasets`, whose MNIST loaders book/01_data.ipynb (The data) calls; the
chapter shows the images, not the format, which is described here.

An IDX file is a header followed by the raw elements in row-major order:

    2 zero bytes | element type, 1 byte (0x08: unsigned byte) | number of dimensions, 1 byte
    | each dimension as a big-endian uint32 | the elements

so images (N, rows, columns) start with 0x00000803 and labels (N,) with 0x00000801.
Parsing the header with struct is a few lines and, unlike a pickle, cannot run code.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import torch

from .errors import DataError

UNSIGNED_BYTE = 0x08


def read_idx(data: bytes, name: str) -> torch.Tensor:
    """Parses the bytes of an IDX file of unsigned bytes into a uint8 tensor shaped as its header says.

    `name` is the file's name, for error
    messages. Raises DataError for a wrong magic number or number of dimensions, or when
    the data after the header is not exactly as long as the dimensions say.
    """
    if len(data) < 4:
        raise DataError(f"{name}: {len(data)} bytes is too short for an IDX file")
    zeros, element_type, ndim = struct.unpack_from(">HBB", data)
    magic = struct.unpack_from(">I", data)[0]
    if zeros != 0:
        raise DataError(f"{name} is not an IDX file: it starts with 0x{magic:08x}, "
                        "not 0x00000803 (images) or 0x00000801 (labels)")
    if element_type != UNSIGNED_BYTE:
        raise DataError(f"{name}: magic number 0x{magic:08x} says element type 0x{element_type:02x}; "
                        "only 0x08 (unsigned byte) is supported")
    if ndim not in (1, 3):
        raise DataError(f"{name}: magic number 0x{magic:08x} says {ndim} dimensions; expected "
                        "3 (images, 0x00000803) or 1 (labels, 0x00000801)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{name}: the IDX header is cut short ({len(data)} of {header} bytes)")
    shape = struct.unpack_from(f">{ndim}I", data, 4)
    # numpy cannot even describe an array whose non-zero dimensions multiply past its index
    # range, although one zero dimension makes it empty: such a header is damaged.
    if math.prod(size for size in shape if size) > np.iinfo(np.intp).max:
        raise DataError(f"{name}: the header gives shape {shape}, too large for any array; "
                        "the file is damaged")
    expected, actual = math.prod(shape), len(data) - header
    if actual != expected:
        raise DataError(f"{name}: the header gives shape {shape}, which is {expected} bytes of data, "
                        f"but {actual} bytes follow it; the file is truncated or has extra bytes")
    # copy(): the tensor gets its own writable memory rather than a view of the read-only bytes.
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy())
