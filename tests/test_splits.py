import warnings

import numpy as np
import pandas as pd
import pytest

from lesson5 import datasets, splits
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
    assert digest(valid.index.to_numpy()) == splits.BOOK_SPLITS[("ratings", 100_000, 20_000, 42)]


def test_split_ratings_checks_its_draw_against_the_book(monkeypatch):
    monkeypatch.setitem(splits.BOOK_SPLITS, ("ratings", 10, 2, 42), digest([0, 1]))
    with pytest.warns(SplitWarning, match="different ratings split from seed 42"):
        split_ratings(pd.DataFrame({"rating": np.zeros(10)}), valid_pct=0.2, seed=42)


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
        # The book's sizes with another seed are another split, not a wrong one.
        check_book_split("ratings", 100_000, np.arange(20_000), 7)
    # The same indices under the book's seed are not the book's split (the check is live).
    with pytest.warns(SplitWarning):
        check_book_split("ratings", 100_000, np.arange(20_000), 42)


def test_mnist_10k_refuses_an_empty_validation_set_before_fetching(monkeypatch):
    def fetch(name):
        raise AssertionError(f"fetched {name} for a call it should refuse")

    monkeypatch.setattr(datasets, "fetch", fetch)
    for n_valid in (0, -5):
        with pytest.raises(ValueError, match="n_valid must be at least 1"):
            datasets.load_mnist_10k(n_valid=n_valid)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_valid": 2.5}, "n_valid must be a whole number, not 2.5"),
    ({"n_valid": True}, "n_valid must be a whole number, not True"),
    ({"n_valid": "2000"}, "n_valid must be a whole number, not '2000'"),
    ({"seed": None}, "seed must be a whole number, not None"),
    ({"seed": 1.5}, "seed must be a whole number, not 1.5"),
    ({"seed": 2**64}, r"seed must be from -2\*\*63 to 2\*\*64 - 1 .*, not 18446744073709551616"),
], ids=["fractional", "bool", "text", "no-seed", "fractional-seed", "huge-seed"])
def test_mnist_10k_refuses_a_bad_n_valid_or_seed_before_fetching(monkeypatch, kwargs, message):
    def fetch(name):
        raise AssertionError(f"fetched {name} for a call it should refuse")

    monkeypatch.setattr(datasets, "fetch", fetch)
    with pytest.raises((TypeError, ValueError), match=message):
        datasets.load_mnist_10k(**kwargs)
    # Integers of other types (NumPy's) pass, on to the fetch.
    with pytest.raises(AssertionError, match="fetched mnist"):
        datasets.load_mnist_10k(n_valid=np.int64(500), seed=np.int64(-1))
