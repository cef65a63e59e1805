import warnings

import numpy as np
import pandas as pd
import pytest

from lesson5 import splits
from lesson5.collab import split_ratings
from lesson5.splits import SplitWarning, check_book_split, digest


def test_digest_reads_tensors_arrays_and_lists_alike():
    torch = pytest.importorskip("torch")
    assert digest(torch.tensor([3, 1, 2])) == digest(np.array([3, 1, 2])) == digest([3, 1, 2])
    assert digest([3, 1, 2]) != digest([1, 2, 3])


def test_the_ratings_split_drawn_here_is_the_books():
    # The pinned NumPy draws the split the book's MovieLens figures come from.
    ratings = pd.DataFrame({"rating": np.zeros(100_000)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", SplitWarning)
        train, valid = split_ratings(ratings, valid_pct=0.2, seed=42)
    assert len(valid) == 20_000 and len(train) == 80_000


def test_another_draw_of_a_book_split_warns(monkeypatch):
    key = ("ratings", 10, 2, 42)
    monkeypatch.setitem(splits.BOOK_SPLITS, key, digest([7, 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SplitWarning)
        check_book_split("ratings", 10, np.array([7, 3]), 42)
    with pytest.warns(SplitWarning, match="different ratings split from seed 42"):
        check_book_split("ratings", 10, np.array([3, 7]), 42)


def test_splits_the_book_does_not_use_pass_unchecked():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SplitWarning)
        check_book_split("ratings", 10, np.array([0, 1]), 7)
