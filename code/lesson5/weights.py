"""Weight files: a module's tensors saved with their SHA-256, and loaded only if it matches.

Introduced in book/07_transfer.ipynb (Transfer learning), where a pretrained body is saved
and loaded into a new model. Both files are written under a temporary name and renamed into
place, so a reader never sees half a file, and a load that falls between the two renames
waits for the second; loading parses the very bytes it hashed, so a file changed in between
cannot slip through.
"""

import io
import pickle
import re
import time
from pathlib import Path

import torch

from .atomic import write_atomically
from .checksum import read_hashed, sha256_hex

# How long a load waits for a save in progress to rename its sidecar into place: a few short
# waits, a quarter of a second in all, before a mismatch is called a changed file.
SIDECAR_TRIES = 5
SIDECAR_WAIT_S = 0.05


def save_weights(module, path):
    """Saves `module.state_dict()` to `path` and its SHA-256 to `path` + ".sha256"; returns the hash."""
    path = Path(path)
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    data = buffer.getvalue()
    digest = sha256_hex(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        write_atomically(Path(f"{path}.sha256"), f"{digest}\n".encode())
    except OSError as error:
        raise OSError(error.errno, f"Could not save weights to {path} ({error.strerror or error}): choose a "
                                   "folder you can write to, on a disk with free space") from error
    return digest


def load_weights(module, path, sha256=None):
    """Loads weights saved by `save_weights` into `module`, after checking the file's hash.

    The expected hash is `sha256` if given, else the one saved beside the file. Loading uses
    `weights_only=True`: a file holding anything but tensors and plain containers is refused,
    instead of running whatever code a pickle names.
    """
    path = Path(path)
    if sha256 is None:
        data, actual, expected = _read_with_sidecar(path)
        if actual != expected:
            raise ValueError(f"{path} has SHA-256 {actual}, expected {expected}: the file changed; "
                             "delete it and save the weights again")
    else:
        # As other tools print it: in capitals (Windows' Get-FileHash), or with a line's end.
        expected = sha256.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", expected):
            raise ValueError(f"sha256 must be 64 hexadecimal digits, got {sha256!r}")
        data, actual = _read(path)
        if actual != expected:
            raise ValueError(f"{path} has SHA-256 {actual}, not the {expected} passed as sha256: "
                             "check which file, or which hash, you meant")
    try:
        # Onto the CPU first: a file saved from a GPU then loads on a machine without one, and
        # load_state_dict copies each tensor onto the module's device anyway.
        state = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as error:
        raise pickle.UnpicklingError(f"{path} holds more than tensors, so it is not loaded; save "
                                     f"weights with save_weights ({error})") from error
    module.load_state_dict(state)
    return module


def _read(path):
    with open(path, "rb") as f:
        return read_hashed(f)


def _read_with_sidecar(path):
    """(bytes, their SHA-256, the hash in the sidecar), read so that a save in progress is no error.

    save_weights renames the new file into place and then its sidecar, so a load in between
    reads new bytes beside the old hash, or beside no sidecar at all on a first save. Such a
    pair becomes consistent within moments: on a mismatch, wait, read the sidecar again, and
    read the file again if the bytes in hand still do not match. A file that really changed
    still mismatches after the last wait, and a sidecar that never appears is reported missing.
    """
    sidecar = Path(f"{path}.sha256")
    expected = _read_sidecar(sidecar)
    data, actual = _read(path)
    for _ in range(SIDECAR_TRIES):
        if actual == expected:
            break
        time.sleep(SIDECAR_WAIT_S)
        expected = _read_sidecar(sidecar)
        if actual != expected:
            # Perhaps another save replaced the file meanwhile: hash it afresh, with the bytes
            # that will be parsed.
            data, actual = _read(path)
    if expected is None:
        raise FileNotFoundError(f"{sidecar} is missing: pass sha256= or save with save_weights")
    return data, actual, expected


def _read_sidecar(sidecar):
    """The hash saved in `sidecar`, or None while there is none."""
    try:
        return sidecar.read_text().strip()
    except FileNotFoundError:
        return None
