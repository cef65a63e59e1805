"""Tests of lesson5.permutation: the share of random orders as strong as the real one."""

import itertools

import pytest
import torch

from lesson5.permutation import share_as_strong


def _closeness(order):
    """Minus the summed squared distances of `order` from 0, 1, …, n-1: Spearman's correlation
    with the identity up to a positive scale and a shift, in integers, so ties are exact."""
    order = torch.as_tensor(order)
    return -int(((order - torch.arange(len(order))) ** 2).sum())


def test_share_matches_the_exact_share_over_every_order():
    n, observed = 5, _closeness([1, 0, 2, 4, 3])
    exact = sum(
        _closeness(p) >= observed for p in itertools.permutations(range(n))
    ) / 120
    share = share_as_strong(observed, _closeness, n, n_orders=4000)
    # 8 of the 120 orders are as close: the identity, the four swaps of neighbours and the
    # three pairs of such swaps that share no item. 4000 draws put the standard error near 0.004:
    # three of them, narrower than the gap to 5/120, the share with ties left out.
    assert exact == 8 / 120
    assert share == pytest.approx(exact, abs=0.012)


def test_share_counts_ties_as_reaching_and_spans_zero_to_one():
    assert share_as_strong(0.0, lambda order: 0.0, 4, n_orders=50) == 1.0
    assert share_as_strong(1, _closeness, 4, n_orders=50) == 0.0


def test_share_is_seeded_and_leaves_the_global_random_state_alone():
    torch.manual_seed(7)
    before = torch.get_rng_state()
    first = share_as_strong(-6, _closeness, 6, n_orders=300, seed=1)
    assert torch.equal(torch.get_rng_state(), before)
    assert share_as_strong(-6, _closeness, 6, n_orders=300, seed=1) == first
    others = {share_as_strong(-6, _closeness, 6, n_orders=300, seed=s) for s in range(2, 6)}
    assert others - {first}


def test_a_tensor_observed_gives_a_share_that_is_a_float():
    share = share_as_strong(torch.tensor(-2.0), _closeness, 4, n_orders=20)
    assert type(share) is float and share == share_as_strong(-2.0, _closeness, 4, n_orders=20)


def test_share_needs_at_least_one_order():
    with pytest.raises(ValueError, match="at least one random order"):
        share_as_strong(0.5, _closeness, 4, n_orders=0)


@pytest.mark.parametrize("observed, statistic", [
    (float("nan"), lambda order: 0.0),
    (0.5, lambda order: float("nan")),
    (0.5, lambda order: torch.tensor(float("inf"))),
])
def test_a_statistic_that_is_not_finite_is_refused_not_read_as_the_strongest(observed, statistic):
    with pytest.raises(ValueError, match="finite"):
        share_as_strong(observed, statistic, 4, n_orders=20)
