"""Tests of lesson5.ranking: the highest and lowest items by one number."""

import pytest

from lesson5.ranking import top_bottom


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


def test_top_bottom_rounds_for_display_and_keeps_ties_in_their_order():
    table = top_bottom([0.123456, 0.5, 0.5, 0.5, -0.987654], list("abcde"), n=3, name="bias", digits=2)
    assert table[("highest", "bias")].tolist() == [0.5, 0.5, 0.5]
    assert table[("lowest", "bias")].tolist() == [-0.99, 0.12, 0.5]
    # Tied values keep the order they were given in, on both sides.
    assert table[("highest", "title")].tolist() == ["b", "c", "d"]
    assert table[("lowest", "title")].tolist() == ["e", "a", "b"]
