"""Files replaced whole: written under a temporary name beside the target, then renamed.

Introduced with the download cache in book/01_data.ipynb (`lesson5.download`) and used again
for the pretrained body's weights in book/07_transfer.ipynb (`lesson5.weights`) and the
optimizer explorer's trajectories in book/04_optimizers.ipynb (`lesson5.explorer`); the tests'
conftest.py writes nbval's runs of the chapters with it. A rename
within one folder is atomic, so a reader sees the old file or the new one, never part of one.
"""

import contextlib
import os
import uuid
from pathlib import Path

# A temporary file's name: hidden, unique, and ending in this, so that nothing takes it for the
# file itself and a cleaner can find those a killed process left behind.
SUFFIX = ".part"


def temp_name(path):
    """A hidden, unique name in `path`'s folder, for a file on its way to becoming `path`."""
    path = Path(path)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}{SUFFIX}")


@contextlib.contextmanager
def temp_beside(path):
    """Yields a `temp_name` for `path`, and removes that file on leaving unless it was renamed
    into place (or never made)."""
    temp = temp_name(path)
    try:
        yield temp
    finally:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)


def write_atomically(path, data):
    """Writes the bytes `data` to `path` through a temporary file: readers of `path` see the old
    file or the new one, and a failure part-way leaves the old one and no temporary file."""
    with temp_beside(path) as temp:
        with open(temp, "xb") as f:
            f.write(data)
        os.replace(temp, path)
