"""Tests of lesson5.ranking: the highest and lowest items by one number, and rank correlation."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from lesson5.ranking import spearman, top_bottom


def test_top_bottom_orders_and_carries_extra_columns():
    table = top_bottom([0.5, -1.0, 2.0, 0.0], ["a", "b", "c", "d"], n=2, name="bias",
                       extra={"mean": [3.0, 1.0, 4.5, 2.0]})
    assert table[("highest", "title")].tolist() == ["c", "a"]
    assert table[("lowest", "title")].tolist() == ["b", "d"]
    assert table[("highest", "mean")].tolist() == [4.5, 3.0]
    assert table[("lowest", "bias")].tolist() == [-1.0, 0.0]
    assert table.index.tolist() == [1, 2]
    with pytest.raises(ValueError, match="only 4 items"):
        top_bottom([1, 2, 3, 4], list("abcd"), n=5)
    # As many items as asked for: all of them, in both orders.
    assert top_bottom([1, 2, 3], list("abc"), n=3)[("lowest", "title")].tolist() == ["a", "b", "c"]


def test_top_bottom_rounds_for_display_and_keeps_ties_in_their_order():
    table = top_bottom([0.123456, 0.5, 0.5, 0.5, -0.987654], list("abcde"), n=3, name="bias", digits=2)
    assert table[("highest", "bias")].tolist() == [0.5, 0.5, 0.5]
    assert table[("lowest", "bias")].tolist() == [-0.99, 0.12, 0.5]
    # Tied values keep the order they were given in, on both sides.
    assert table[("highest", "title")].tolist() == ["b", "c", "d"]
    assert table[("lowest", "title")].tolist() == ["e", "a", "b"]


def test_spearman_reads_ranks_only_and_gives_ties_their_mean_rank():
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert spearman(x, [10, 20, 30, 40, 500]) == pytest.approx(1.0)
    assert spearman(x, torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])) == pytest.approx(-1.0)
    # Ranks 1, 2.5, 2.5, 4 against 1, 2, 3, 4: Pearson's r is 4.5 / √(5 · 4.5) = √0.9.
    assert spearman([1, 2, 3, 4], [1, 2, 2, 3]) == pytest.approx(math.sqrt(0.9))


def test_spearman_agrees_with_pandas_on_random_data_with_ties():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 6, 40), rng.normal(size=40)
    expected = pd.Series(a).rank().corr(pd.Series(b).rank())
    assert spearman(a, b) == pytest.approx(expected, abs=1e-12)


def test_spearman_of_a_constant_is_nan_and_bad_lengths_are_refused():
    assert math.isnan(spearman([3, 3, 3], [1, 2, 3]))
    with pytest.raises(ValueError, match="same length"):
        spearman([1, 2, 3], [1, 2])


def test_spearman_refuses_a_nan_it_would_rank_highest():
    # Before, sorting ranked the NaN highest and [1, nan, 2, 3] against 1..4 gave 0.4.
    with pytest.raises(ValueError, match=r"NaN at 1 positions \(the first: \[1\]\).*drop those pairs"):
        spearman([1, float("nan"), 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="NaN"):
        spearman(torch.tensor([1.0, 2, 3]), [1, 2, float("nan")])
