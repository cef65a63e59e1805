"""The book's random splits, and a warning when this machine draws others.

Introduced in book/01_data.ipynb (The data), which says what its warning means for a learner
on Colab; no chapter calls it directly. `datasets.load_mnist_10k` and
`collab.split_ratings` draw their splits from seeded generators, PyTorch's and NumPy's. Neither
library promises that a seed gives the same stream in every release, so with another PyTorch or
NumPy than requirements.txt pins (on Colab, say) a learner could get other splits, and every
figure would then differ from the page's. Each split the book uses is recorded here by a SHA-256
of its validation indices, and drawing it again compares, warning on a difference.
"""

import warnings

import numpy as np

from .checksum import sha256_hex

#: (what, number of rows, validation rows, seed) -> SHA-256 of the validation indices drawn
#: with the versions requirements.txt pins.
BOOK_SPLITS = {
    ("MNIST", 10_000, 2_000, 42): "ea3d5796fcf35b978e296272552c346fb0683d57977e1c3cf80f010f95ee55da",
    ("ratings", 100_000, 20_000, 42): "c9e4b2a83797493c87979fd34e9c215c6bc7b9292cede1d0f52c3462eed65a0e",
}


class SplitWarning(UserWarning):
    """This machine drew a split other than the book's from the same seed."""


def digest(indices):
    """The SHA-256 of `indices` (a tensor, array or list) as 64-bit little-endian integers."""
    return sha256_hex(np.asarray(indices, dtype="<i8").tobytes())


def check_book_split(what, n_rows, valid_indices, seed):
    """Warns (SplitWarning) when the split of `n_rows` rows drawn from `seed` is one the book
    uses but `valid_indices` are not the book's; other splits pass unchecked."""
    expected = BOOK_SPLITS.get((what, n_rows, len(valid_indices), seed))
    if expected is not None and digest(valid_indices) != expected:
        warnings.warn(
            f"this machine draws a different {what} split from seed {seed} than the book's, so its "
            "results will differ from the page's: PyTorch and NumPy do not promise the same random "
            "numbers in every release. The book's come from the versions requirements.txt pins "
            "(pip install -r requirements.txt in a fresh environment).",
            SplitWarning,
            stacklevel=3,
        )
