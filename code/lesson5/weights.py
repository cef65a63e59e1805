"""Weight files: a module's tensors saved with their SHA-256, and loaded only if it matches.

Introduced in book/07_transfer.ipynb (Transfer learning), where a pretrained body is saved
and loaded into a new model.
"""

import hashlib
from pathlib import Path

import torch


def sha256_of(path):
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_weights(module, path):
    """Saves `module.state_dict()` to `path` and its SHA-256 to `path` + ".sha256"; returns the hash."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(module.state_dict(), path)
    digest = sha256_of(path)
    Path(f"{path}.sha256").write_text(digest + "\n")
    return digest


def load_weights(module, path, sha256=None):
    """Loads weights saved by `save_weights` into `module`, after checking the file's hash.

    The expected hash is `sha256` if given, else the one saved beside the file. Loading uses
    `weights_only=True`: a file holding anything but tensors and plain containers is refused,
    instead of running whatever code a pickle names.
    """
    path = Path(path)
    if sha256 is None:
        sidecar = Path(f"{path}.sha256")
        if not sidecar.exists():
            raise FileNotFoundError(f"{sidecar} is missing: pass sha256= or save with save_weights")
        sha256 = sidecar.read_text().strip()
    actual = sha256_of(path)
    if actual != sha256:
        raise ValueError(f"{path} has SHA-256 {actual}, expected {sha256}: the file changed; "
                         "delete it and save the weights again")
    module.load_state_dict(torch.load(path, weights_only=True))
    return module
