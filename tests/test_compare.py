import itertools
import math

import pandas as pd
import pytest
import torch

from lesson5 import compare
from lesson5.compare import (
    Tuned,
    ahead_at_every_seed,
    chance_ahead_at_every_seed,
    cross_fit_lead,
    cross_fit_learners,
    cross_fit_reading,
    cross_fit_summary,
    cross_fitted,
    first_seed_lead,
    half_scores,
    halves,
    over_seeds,
    standing,
    summary,
    thin_caveat,
    thin_lead,
    tune,
    tune_on_first_seed,
    verdict,
    written,
    written_difference,
)
from lesson5.learner import accuracy


def quadratic(best_lr, peak, seed_offsets):
    """A score peaking at `best_lr`, shifted by a fixed amount per seed."""
    return lambda lr, seed: peak - (math.log10(lr) - math.log10(best_lr)) ** 2 + seed_offsets[seed]


LRS = [0.01, 0.1, 1.0, 10.0]


def test_tune_runs_every_rate_and_seed_and_keeps_the_best_mean():
    calls = []

    def score(lr, seed):
        calls.append((lr, seed))
        return quadratic(1.0, 0.9, {0: 0.0, 1: -0.02, 2: 0.01})(lr, seed)

    t = tune(score, LRS, [0, 1, 2])
    assert sorted(calls) == sorted((lr, s) for lr in LRS for s in [0, 1, 2])
    assert t.best_lr == 1.0
    assert t.at_best.tolist() == pytest.approx([0.9, 0.88, 0.91])
    assert (t.mean, t.min, t.max) == pytest.approx((0.8966667, 0.88, 0.91))


def test_lower_is_better_picks_the_minimum():
    t = tune(lambda lr, seed: (math.log10(lr) + 1) ** 2 + seed, LRS, [0, 1], higher_is_better=False)
    assert t.best_lr == 0.1
    assert t.mean == pytest.approx(0.5)


def test_a_diverged_seed_disqualifies_its_rate():
    # lr 10 has the best score where it works, but one seed diverged there.
    def score(lr, seed):
        if lr == 10.0:
            return float("nan") if seed == 1 else 0.99
        return lr / 10

    t = tune(score, LRS, [0, 1, 2])
    assert t.best_lr == 1.0
    assert math.isnan(t.scores.loc[10.0, 1])


def test_infinite_scores_count_as_failures():
    t = tune(lambda lr, seed: float("inf") if lr == 0.01 else lr, LRS, [0, 1], higher_is_better=False)
    assert t.best_lr == 0.1


def test_a_table_failed_at_every_rate_has_no_best_rate_and_says_what_to_do():
    # tune refuses such a table; one built by hand met pandas' "argmax of an empty sequence".
    failed = Tuned(_frame({0.1: [float("nan"), 0.9], 1.0: [0.8, float("nan")]}))
    with pytest.raises(ValueError, match=r"at every rate \(\[0.1, 1.0\]\).*add smaller rates"):
        _ = failed.best_lr


def test_all_rates_failing_is_an_error_that_says_what_to_do():
    with pytest.raises(ValueError, match="smaller rates"):
        tune(lambda lr, seed: float("nan") if seed == 0 else 1.0, LRS, [0, 1])


@pytest.mark.parametrize("best, end, side", [(0.001, 0.01, "smallest"), (100.0, 10.0, "largest")])
def test_a_best_rate_at_an_end_of_the_grid_is_refused(best, end, side):
    message = rf"the best learning rate, {end:g}, is the {side} in the grid.*at every seed.*add one"
    with pytest.raises(ValueError, match=message):
        tune(quadratic(best, 0.9, {0: 0, 1: 0.01}), LRS, [0, 1])
    # The same scores with the grid run on past the best are accepted.
    grid = sorted({*LRS, best / 10, best, best * 10})
    assert tune(quadratic(best, 0.9, {0: 0, 1: 0.01}), grid, [0, 1]).best_lr == best


def test_a_lowest_loss_at_an_end_of_the_grid_is_refused_too():
    with pytest.raises(ValueError, match=r"the best learning rate, 10, is the largest in the grid"):
        tune(lambda lr, seed: 1 / lr + seed, LRS, [0, 1], higher_is_better=False)


def test_a_best_end_rate_that_wins_by_noise_alone_passes():
    # A side that learns at no rate: the end rate's lead over its neighbour changes sign
    # from seed to seed.
    noise = {(0.01, 0): 0.11, (0.01, 1): 0.09, (0.1, 0): 0.10, (0.1, 1): 0.095, (1.0, 0): 0.09, (1.0, 1): 0.1}
    assert tune(lambda lr, seed: noise[lr, seed], [0.01, 0.1, 1.0], [0, 1]).best_lr == 0.01


def test_a_rate_beyond_the_best_that_failed_brackets_it():
    # 10 diverged for every seed, so 1.0, the best, lies inside the grid.
    t = tune(lambda lr, seed: float("nan") if lr == 10.0 else lr, LRS, [0, 1])
    assert t.best_lr == 1.0


def test_a_one_rate_grid_is_not_tuned_but_allowed():
    assert tune(lambda lr, seed: 0.5 + seed, [0.1], [0, 1]).mean == 1.0


def test_empty_grid_or_seeds_refused():
    with pytest.raises(ValueError, match="at least one"):
        tune(lambda lr, seed: 1.0, [], [0])
    with pytest.raises(ValueError, match="at least one"):
        tune(lambda lr, seed: 1.0, [0.1], [])


def test_summary_has_one_row_per_side():
    a = tune(quadratic(0.1, 0.9, {0: 0, 1: 0.01}), LRS, [0, 1])
    b = tune(quadratic(1.0, 0.8, {0: 0, 1: 0.02}), LRS, [0, 1])
    table = summary({"a": a, "b": b})
    assert table.loc["a", "best lr"] == 0.1 and table.loc["b", "best lr"] == 1.0
    assert table.loc["b", "max"] == pytest.approx(0.82)
    # Three seeds a different distance apart, so that mean, min and max all differ.
    c = tune(quadratic(0.1, 0.5, {0: 0, 1: 0.03, 2: 0.09}), LRS, [0, 1, 2])
    assert summary({"c": c}).loc["c"].tolist() == pytest.approx([0.1, 0.54, 0.5, 0.59])


def test_verdict_gives_a_gap_between_percentages_in_points():
    a = Tuned(_frame({0.1: [0.90, 0.92, 0.91]}))
    b = Tuned(_frame({0.1: [0.80, 0.85, 0.84]}))
    text = verdict("A", a, "B", b, "{:.1%}")
    assert text == (
        "A is ahead by 8.0 percentage points on average and at every seed, its worst seed (90.0%) "
        "beating the other's best (85.0%)"
    )


def test_verdict_separated_and_overlapping():
    a = Tuned(_frame({0.1: [0.90, 0.92, 0.91]}))
    b = Tuned(_frame({0.1: [0.80, 0.85, 0.84]}))
    text = verdict("A", a, "B", b)
    assert text.startswith("A is ahead by 0.0800 on average and at every seed")
    assert "(0.9000) beating the other's best (0.8500)" in text
    assert verdict("B", b, "A", a) == text

    c = Tuned(_frame({0.1: [0.89, 0.95, 0.90]}))
    text = verdict("A", a, "C", c)
    assert text == (
        "the two overlap, with C ahead by 0.0033 on average but its worst seed (0.8900) no better "
        "than the other's best (0.9200)"
    )


def test_verdict_lower_is_better():
    a = Tuned(_frame({0.1: [0.10, 0.12]}), higher_is_better=False)
    b = Tuned(_frame({0.1: [0.20, 0.30]}), higher_is_better=False)
    assert verdict("A", a, "B", b) == (
        "A is ahead by 0.1400 on average (lower is better) and at every seed, its worst seed "
        "(0.1200) beating the other's best (0.2000) by 0.0800, less than the mean gap between "
        "neighbouring seeds' scores for B (0.1000), so one more seed could make the two overlap"
    )
    c = Tuned(_frame({0.1: [0.11, 0.25]}), higher_is_better=False)
    assert verdict("A", a, "C", c).startswith(
        "the two overlap, with A ahead by 0.0700 on average (lower is better) but its worst seed "
        "(0.1200) no better than the other's best (0.1100)"
    )
    with pytest.raises(ValueError, match="scored the same way"):
        verdict("A", a, "B", Tuned(b.scores))


def test_ahead_at_every_seed_needs_the_worst_seed_to_beat_the_best():
    a = Tuned(_frame({0.1: [0.90, 0.92, 0.91]}))
    b = Tuned(_frame({0.1: [0.80, 0.85, 0.84]}))
    c = Tuned(_frame({0.1: [0.89, 0.99, 0.90]}))  # best mean, but its worst seed loses to a
    assert ahead_at_every_seed(a, b) and not ahead_at_every_seed(b, a)
    assert c.mean > a.mean and not ahead_at_every_seed(c, a) and not ahead_at_every_seed(a, c)
    # Ties are not "ahead": a's worst equal to b's best is an overlap.
    assert not ahead_at_every_seed(Tuned(_frame({0.1: [0.85, 0.9]})), b)


def test_a_lead_at_every_seed_narrower_than_the_gaps_between_a_sides_seeds_is_thin():
    a = Tuned(_frame({0.1: [0.90, 0.92, 0.91]}))
    b = Tuned(_frame({0.1: [0.80, 0.85, 0.84]}))  # margin 0.05; neighbouring seeds 0.025 apart on average
    assert not thin_lead(a, b) and "one more seed" not in verdict("A", a, "B", b)
    wide = Tuned(_frame({0.1: [0.70, 0.89, 0.80]}))  # margin 0.01 against a mean gap of 0.095
    assert thin_lead(a, wide) and not thin_lead(wide, a)
    assert verdict("A", a, "W", wide).endswith(
        "beating the other's best (0.8900) by 0.0100, less than the mean gap between neighbouring "
        "seeds' scores for W (0.0950), so one more seed could make the two overlap"
    )
    # The winner's own gaps count as well: here they are the wider ones.
    spread = Tuned(_frame({0.1: [0.86, 0.99, 0.95]}))
    assert thin_lead(spread, b) and "seeds' scores for S (0.0650)" in verdict("S", spread, "B", b)
    # An overlap is not a lead at all, thin or not.
    assert not thin_lead(a, Tuned(_frame({0.1: [0.89, 0.95, 0.90]})))
    low = Tuned(_frame({0.1: [0.10, 0.12]}), higher_is_better=False)
    assert thin_lead(low, Tuned(_frame({0.1: [0.13, 0.30]}), higher_is_better=False))
    assert not thin_lead(low, Tuned(_frame({0.1: [0.20, 0.21]}), higher_is_better=False))
    with pytest.raises(ValueError, match="scored the same way"):
        thin_lead(low, Tuned(low.scores))


def test_the_percentage_points_a_thin_lead_names():
    a = Tuned(_frame({0.1: [0.620, 0.650, 0.692]}))
    scratch = Tuned(_frame({0.1: [0.486, 0.614, 0.550]}))
    assert verdict("frozen", a, "scratch", scratch, "{:.1%}").endswith(
        "(61.4%) by 0.6 percentage points, less than the mean gap between neighbouring seeds' "
        "scores for scratch (6.4 percentage points), so one more seed could make the two overlap"
    )


def test_one_seed_a_side_cannot_tell_a_thin_lead_and_says_so():
    one = Tuned(_frame({0.1: [0.9]}))
    with pytest.raises(ValueError, match="at least two"):
        thin_lead(one, Tuned(_frame({0.1: [0.8]})))
    with pytest.raises(ValueError, match="at least two"):
        verdict("A", one, "B", Tuned(_frame({0.1: [0.8]})))
    # A tie is no lead, so it needs no such judgement.
    assert verdict("A", one, "B", Tuned(_frame({0.1: [0.9]}))).startswith("the two overlap")


def test_a_thin_lead_gets_its_caveat_and_any_other_none():
    a = Tuned(_frame({0.1: [0.90, 0.92, 0.91]}))
    wide = Tuned(_frame({0.1: [0.70, 0.89, 0.80]}))  # a thin lead for a
    clear = Tuned(_frame({0.1: [0.80, 0.85, 0.84]}))  # a lead for a, not thin
    assert thin_caveat(a, wide) == ", though thinly"
    assert thin_caveat(a, clear) == "" and thin_caveat(wide, a) == ""


def test_more_seeds_over_the_same_range_make_a_lead_less_thin():
    # The same range (0.80 to 0.90) and margin (0.05): two seeds are a gap of 0.10 apart, five
    # seeds 0.025 apart on average.
    ahead = Tuned(_frame({0.1: [0.95] * 5}))
    assert thin_lead(ahead, Tuned(_frame({0.1: [0.80, 0.90]})))
    assert not thin_lead(ahead, Tuned(_frame({0.1: [0.80, 0.82, 0.85, 0.88, 0.90]})))


def test_verdicts_gap_is_the_difference_of_the_means_as_written():
    # Means 0.81115 and 0.81004 are written 0.8112 and 0.8100: the gap a reader gets is 0.0012,
    # where the unrounded one (0.00111) would be written 0.0011.
    a = Tuned(_frame({0.1: [0.81115, 0.81115]}), higher_is_better=False)
    b = Tuned(_frame({0.1: [0.81004, 0.81004]}), higher_is_better=False)
    assert "ahead by 0.0012 on average" in verdict("A", a, "B", b)
    # 91.2% against 90.1%: 1.1 points, where the unrounded gap (1.198) would be written 1.2.
    assert "ahead by 1.1 percentage points" in verdict(
        "A", Tuned(_frame({0.1: [0.91249, 0.91249]})), "B", Tuned(_frame({0.1: [0.90051, 0.90051]})), "{:.1%}"
    )
    # Means written alike: the gap is below the last digit shown, and said so.
    same = verdict("A", Tuned(_frame({0.1: [0.90001, 0.9]})), "B", Tuned(_frame({0.1: [0.9, 0.9]})))
    assert "ahead by less than 0.0001 on average" in same
    assert "ahead by less than 0.1 percentage points" in verdict(
        "A", Tuned(_frame({0.1: [0.9001, 0.9]})), "B", Tuned(_frame({0.1: [0.9, 0.9]})), "{:.1%}"
    )
    # Text around the number: units after it, a name with digits before it.
    assert "ahead by 1.57 px" in verdict(
        "A", Tuned(_frame({0.1: [2.846, 2.846]}), False), "B", Tuned(_frame({0.1: [4.42, 4.42]}), False), "{:.2f} px"
    )
    assert "ahead by 1.2 percentage points" in verdict(
        "A", Tuned(_frame({0.1: [0.912, 0.912]})), "B", Tuned(_frame({0.1: [0.90, 0.90]})), "{:.1%} accuracy"
    )
    assert "ahead by less than R2 0.001 on average" in verdict(
        "A", Tuned(_frame({0.1: [0.9001, 0.9]})), "B", Tuned(_frame({0.1: [0.9, 0.9]})), "R2 {:.3f}"
    )
    # Exponent formats have no fixed last digit: their gap is the difference as written.
    assert "ahead by 4.50e-05 on average" in verdict(
        "A", Tuned(_frame({0.1: [1.45e-4, 1.45e-4]})), "B", Tuned(_frame({0.1: [1e-4, 1e-4]})), "{:.2e}"
    )
    with pytest.raises(ValueError, match="one replacement field"):
        verdict("A", Tuned(_frame({0.1: [0.9, 0.9]})), "B", Tuned(_frame({0.1: [0.8, 0.8]})), "{:.2f} to {:.2f}")


def test_written_difference_is_what_a_reader_subtracts():
    assert written_difference(0.81115, 0.81004) == pytest.approx(0.0012)
    assert written_difference(0.91249, 0.90051, "{:.1%}") == pytest.approx(0.011)
    assert written(0.81115) == 0.8112 and written(0.91249, "{:.1%} accuracy") == pytest.approx(0.912)
    assert written(1234.4, "{:,.0f} ratings") == 1234


def test_ahead_at_every_seed_lower_is_better():
    low = Tuned(_frame({0.1: [0.10, 0.12]}), higher_is_better=False)
    high = Tuned(_frame({0.1: [0.20, 0.30]}), higher_is_better=False)
    assert ahead_at_every_seed(low, high) and not ahead_at_every_seed(high, low)
    with pytest.raises(ValueError, match="scored the same way"):
        ahead_at_every_seed(low, Tuned(high.scores))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_the_chance_of_a_lead_at_every_seed_counts_the_orders_of_the_scores(n):
    # Every way 2n distinct scores can fall between the two sides is equally likely; count
    # those where one side's worst beats the other's best.
    ahead = total = 0
    for order in itertools.permutations(range(2 * n)):
        a, b = order[:n], order[n:]
        ahead += min(a) > max(b) or min(b) > max(a)
        total += 1
    assert chance_ahead_at_every_seed(n) == pytest.approx(ahead / total)
    assert chance_ahead_at_every_seed(3) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="at least one seed"):
        chance_ahead_at_every_seed(0)


def test_standing_reads_a_side_against_the_other_over_the_seeds():
    a = over_seeds([0.90, 0.92, 0.91], [0, 1, 2])
    b = over_seeds([0.85, 0.87, 0.89], [0, 1, 2])
    meets = over_seeds([0.86, 0.90, 0.95], [0, 1, 2])
    assert (standing(a, b), standing(b, a)) == ("ahead", "behind")
    # Ahead in the mean is not enough: b's best seed reaches its worst one.
    assert meets.mean > b.mean and standing(meets, b) == standing(b, meets) == "overlap"
    # Lower is better: the lower scores stand ahead.
    low = over_seeds([0.10, 0.12], [0, 1], higher_is_better=False)
    high = over_seeds([0.20, 0.30], [0, 1], higher_is_better=False)
    assert (standing(low, high), standing(high, low)) == ("ahead", "behind")
    with pytest.raises(ValueError, match="scored the same way"):
        standing(low, b)


def _frame(rows):
    return pd.DataFrame.from_dict(rows, orient="index")


GRID = [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]


def counting(score):
    calls = []

    def counted(lr, seed):
        calls.append(lr)
        return score(lr, seed)

    return counted, calls


@pytest.mark.parametrize("peak, start, run", [
    (0.1, 1.0, {0.01, 0.1, 1.0}),
    (1.0, 0.01, {0.001, 0.01, 0.1, 1.0, 10.0}),
    (0.01, 10.0, {0.001, 0.01, 0.1, 1.0, 10.0}),
])
def test_a_search_from_start_runs_only_the_rates_that_bracket_the_best(peak, start, run):
    curve = quadratic(peak, 0.9, {0: 0.0, 1: -0.02})
    score, calls = counting(curve)
    searched = tune(score, GRID, [0, 1], start=start)
    assert set(calls) == run and len(calls) == 2 * len(run)
    assert list(searched.scores.index) == sorted(run)
    full = tune(curve, GRID, [0, 1])
    assert searched.best_lr == full.best_lr == peak
    assert searched.at_best.tolist() == full.at_best.tolist()


def test_a_search_that_reaches_the_grid_end_is_checked_as_the_full_grid_is():
    with pytest.raises(ValueError, match="largest in the grid"):
        tune(quadratic(1000.0, 0.9, {0: 0, 1: 0.01}), GRID, [0, 1], start=0.1)


def test_a_search_walks_down_past_rates_that_failed():
    # From 0.1 up every rate diverges at seed 1; the curve peaks at 0.01 below them.
    def score(lr, seed):
        return float("nan") if lr >= 0.1 and seed == 1 else quadratic(0.01, 0.9, {0: 0, 1: 0})(lr, seed)

    counted, calls = counting(score)
    searched = tune(counted, GRID, [0, 1], start=1.0)
    assert searched.best_lr == 0.01
    assert sorted(set(calls)) == [0.001, 0.01, 0.1, 1.0]


def test_start_must_be_a_rate_of_the_grid():
    with pytest.raises(ValueError, match="start must be one of"):
        tune(lambda lr, seed: 1.0, GRID, [0], start=0.5)


def test_a_search_breaks_a_tie_as_the_full_grid_does():
    # 0.01 and 0.1 tie in the mean; the full grid keeps the smaller, and so must the walk,
    # or it stops with 0.001, the best of all, never run.
    table = {0.001: [0.65, 0.65], 0.01: [0.5, 0.7], 0.1: [0.6, 0.6], 1.0: [0.3, 0.3]}
    score = lambda lr, seed: table[lr][seed]  # noqa: E731
    full = tune(score, list(table), [0, 1])
    assert tune(score, list(table), [0, 1], start=0.1).best_lr == full.best_lr == 0.001


@pytest.mark.parametrize("start", [0.001, 100.0])
def test_a_search_from_either_end_of_the_grid_finds_a_lowest_loss(start):
    loss = lambda lr, seed: (math.log10(lr) - 1) ** 2 + seed  # noqa: E731, lowest at lr 10
    score, calls = counting(loss)
    searched = tune(score, GRID, [0, 1], higher_is_better=False, start=start)
    assert searched.best_lr == 10.0 and searched.mean == pytest.approx(0.5)
    assert set(calls) == ({0.001, 0.01, 0.1, 1.0, 10.0, 100.0} if start == 0.001 else {1.0, 10.0, 100.0})


def test_a_search_walks_a_grid_given_in_any_order():
    curve = quadratic(0.1, 0.9, {0: 0.0, 1: -0.02})
    score, calls = counting(curve)
    searched = tune(score, GRID[::-1], [0, 1], start=1.0)
    assert searched.best_lr == 0.1 and set(calls) == {0.01, 0.1, 1.0}
    assert list(searched.scores.index) == [0.01, 0.1, 1.0]


def test_a_search_on_a_one_rate_grid_runs_that_rate():
    assert tune(lambda lr, seed: 0.5 + seed, [0.1], [0, 1], start=0.1).mean == 1.0


def test_a_tie_goes_to_the_smaller_rate_whatever_the_grids_order():
    table = {0.01: [0.6, 0.6], 0.1: [0.5, 0.7], 1.0: [0.3, 0.3]}
    score = lambda lr, seed: table[lr][seed]  # noqa: E731
    for grid in (list(table), list(table)[::-1]):
        assert tune(score, grid, [0, 1]).best_lr == 0.01
        assert tune(score, grid, [0, 1], start=0.1).best_lr == 0.01


def test_the_first_seed_alone_picks_the_rate_the_others_run_only_there():
    # Seed 0 peaks at 0.1, the others at 1.0: the first seed's choice stands.
    def curve(lr, seed):
        return quadratic(0.1 if seed == 0 else 1.0, 0.9, {0: 0.0, 1: 0.0, 2: 0.0})(lr, seed)

    score, calls = counting(curve)
    t = tune_on_first_seed(score, LRS, [0, 1, 2])
    assert calls == [*LRS, 0.1, 0.1]
    assert t.best_lr == 0.1
    assert t.at_best.tolist() == pytest.approx([curve(0.1, s) for s in (0, 1, 2)])
    assert t.scores.drop(index=0.1)[[1, 2]].isna().all().all()
    assert len(t.scores) == len(LRS) and list(t.scores.columns) == [0, 1, 2]


def test_the_first_seeds_pick_walks_and_minimises_as_tune_does():
    loss = lambda lr, seed: (math.log10(lr) - 1) ** 2 + seed  # noqa: E731, lowest at lr 10
    score, calls = counting(loss)
    t = tune_on_first_seed(score, GRID, [0, 1], higher_is_better=False, start=1.0)
    assert t.best_lr == 10.0 and t.mean == pytest.approx(0.5)
    assert calls == [1.0, 0.1, 10.0, 100.0, 10.0]


def test_the_first_seeds_pick_is_checked_for_the_grids_end():
    with pytest.raises(ValueError, match="largest in the grid"):
        tune_on_first_seed(quadratic(1000.0, 0.9, {0: 0, 1: 0}), GRID, [0, 1])


def test_a_picked_rate_that_fails_for_another_seed_is_an_error_that_says_what_to_do():
    def score(lr, seed):
        return float("inf") if (lr, seed) == (1.0, 2) else quadratic(1.0, 0.9, {0: 0, 1: 0, 2: 0})(lr, seed)

    with pytest.raises(ValueError, match=r"picked, 1, failed .* for seed 2: tune this side with `tune`"):
        tune_on_first_seed(score, LRS, [0, 1, 2])
    # The advice works: tune keeps a rate every seed survives.
    assert tune(score, LRS, [0, 1, 2]).best_lr < 1.0


def test_one_settings_scores_over_seeds_read_as_a_tuned_side():
    wd_1 = over_seeds([0.30, 0.32, 0.31], [0, 1, 2], label=1.0, higher_is_better=False)
    wd_0 = over_seeds([0.40, 0.35, 0.38], [0, 1, 2], label=0.0, higher_is_better=False)
    assert wd_1.best_lr == 1.0 and wd_1.at_best.to_dict() == {0: 0.30, 1: 0.32, 2: 0.31}
    assert (wd_1.mean, wd_1.min, wd_1.max) == pytest.approx((0.31, 0.30, 0.32))
    assert ahead_at_every_seed(wd_1, wd_0)
    assert verdict("wd = 1", wd_1, "no decay", wd_0).startswith("wd = 1 is ahead by 0.0667")


def test_over_seeds_needs_one_score_per_seed():
    with pytest.raises(ValueError, match="one score per seed: got 2 scores for seeds"):
        over_seeds([0.3, 0.4], [0, 1, 2])


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_over_seeds_refuses_a_failed_run_and_names_its_seed(bad):
    with pytest.raises(ValueError, match="failed .* for seed 1: a mean over the seeds needs every run"):
        over_seeds([0.3, bad, 0.4], [0, 1, 2], label=0.1)
    # Without a label the message names no "None".
    with pytest.raises(ValueError, match="^a run failed .* for seed 1"):
        over_seeds([0.3, bad, 0.4], [0, 1, 2])


def test_a_margin_equal_to_the_seed_gap_is_not_thin():
    # "Smaller than" the gap: a margin of exactly b's gap (0.5) is not thin.
    a = Tuned(_frame({0.1: [1.0, 1.0]}))
    b = Tuned(_frame({0.1: [0.0, 0.5]}))
    assert ahead_at_every_seed(a, b) and not thin_lead(a, b)


def test_the_leaders_own_spread_can_make_its_lead_thin():
    # The other side's seeds agree (gap 0); the leader's land 0.1 apart, more than its margin.
    a = Tuned(_frame({0.1: [0.90, 1.00]}))
    b = Tuned(_frame({0.1: [0.85, 0.85]}))
    assert thin_lead(a, b)


def test_a_gap_below_the_last_digit_is_written_in_an_exponent_format():
    a = Tuned(_frame({0.1: [1.452e-4] * 2}))
    b = Tuned(_frame({0.1: [1.451e-4] * 2}))
    assert "ahead by 1.00e-07 on average" in verdict("A", a, "B", b, "{:.2e}")


def test_when_lower_is_better_a_tie_at_the_extremes_is_an_overlap():
    a = Tuned(_frame({0.1: [0.1, 0.2]}), higher_is_better=False)
    b = Tuned(_frame({0.1: [0.2, 0.3]}), higher_is_better=False)
    assert not ahead_at_every_seed(a, b) and not ahead_at_every_seed(b, a)


def _bowl(lr, seed):
    """A loss with its best rate at 10, each seed a constant above the last."""
    return (math.log10(lr) - 1) ** 2 + seed


def test_tune_on_first_seed_keeps_the_sides_direction():
    tuned = tune_on_first_seed(_bowl, [0.1, 1.0, 10.0, 100.0], [0, 1], higher_is_better=False)
    assert tuned.higher_is_better is False and tuned.best_lr == 10.0


def test_tune_on_first_seed_names_a_later_seed_that_failed():
    def score(lr, seed):
        return math.nan if (lr, seed) == (10.0, 1) else _bowl(lr, seed)

    with pytest.raises(ValueError, match="for seed 1: tune this side"):
        tune_on_first_seed(score, [0.1, 1.0, 10.0, 100.0], [0, 1, 2], higher_is_better=False)


def test_a_two_rate_grid_whose_end_wins_at_every_seed_is_refused():
    with pytest.raises(ValueError, match="smallest in the grid"):
        tune(lambda lr, seed: -lr + seed * 0.01, [0.01, 0.1], [0, 1])


def test_an_end_rate_that_only_ties_its_neighbour_at_a_seed_is_kept():
    # Accuracies are discrete, so ties happen: the end rate does not beat 0.1 at seed 0.
    table = {0.01: [0.5, 0.6], 0.1: [0.5, 0.55], 1.0: [0.3, 0.3]}
    assert tune(lambda lr, seed: table[lr][seed], list(table), [0, 1]).best_lr == 0.01


def held_out_pair(curve, held_curve):
    """A score function returning (score, held-out score), each from its own curve."""
    return lambda lr, seed: (curve(lr, seed), held_curve(lr, seed))


def test_a_held_out_score_never_picks_the_rate_and_is_read_at_the_one_kept():
    # The held-out curve peaks elsewhere (10): the rate is still the score's best (0.1).
    curve = quadratic(0.1, 0.9, {0: 0.0, 1: -0.02, 2: 0.01})
    held_curve = quadratic(10.0, 0.7, {0: 0.01, 1: 0.0, 2: -0.03})
    t = tune(held_out_pair(curve, held_curve), LRS, [0, 1, 2])
    plain = tune(curve, LRS, [0, 1, 2])
    assert t.best_lr == plain.best_lr == 0.1
    pd.testing.assert_frame_equal(t.scores, plain.scores)
    held = t.held_out
    assert held.best_lr == 0.1 and held.higher_is_better
    assert held.at_best.tolist() == pytest.approx([held_curve(0.1, s) for s in (0, 1, 2)])
    assert held.held_out_scores is None
    assert list(t.held_out_scores.index) == LRS and list(t.held_out_scores.columns) == [0, 1, 2]
    # Two sides on their held-out sets read as any sides do.
    worse = tune(held_out_pair(curve, lambda lr, seed: held_curve(lr, seed) - 0.5), LRS, [0, 1, 2])
    assert summary({"held out": held}).loc["held out", "mean"] == pytest.approx(held.mean)
    assert ahead_at_every_seed(held, worse.held_out) and not ahead_at_every_seed(worse.held_out, held)


def test_a_walk_keeps_the_held_out_scores_of_the_rates_it_ran():
    curve = quadratic(0.1, 0.9, {0: 0.0, 1: -0.02})
    t = tune(held_out_pair(curve, lambda lr, seed: lr + seed), GRID, [0, 1], start=1.0)
    assert list(t.held_out_scores.index) == list(t.scores.index) == [0.01, 0.1, 1.0]
    assert t.held_out.at_best.tolist() == pytest.approx([0.1, 1.1])


def test_a_held_out_score_keeps_a_loss_direction():
    loss = lambda lr, seed: (math.log10(lr) + 1) ** 2 + seed  # noqa: E731, lowest at 0.1
    t = tune(held_out_pair(loss, lambda lr, seed: 5.0 + seed), LRS, [0, 1], higher_is_better=False)
    assert t.best_lr == 0.1 and not t.held_out.higher_is_better
    assert t.held_out.mean == pytest.approx(5.5)


def test_a_diverged_run_scores_nothing_on_the_held_out_set_either():
    def score(lr, seed):
        return (float("inf"), 0.99) if lr == 10.0 else (lr / 10, 0.5)

    t = tune(score, LRS, [0, 1])
    assert math.isnan(t.held_out_scores.loc[10.0, 0]) and t.best_lr == 1.0


def test_a_held_out_score_that_is_not_finite_is_a_failure_named_with_its_seed():
    def score(lr, seed):
        return quadratic(0.1, 0.9, {0: 0, 1: 0})(lr, seed), (float("inf") if seed == 1 else 0.5)

    t = tune(score, LRS, [0, 1])
    assert math.isnan(t.held_out_scores.loc[0.1, 1]) and t.best_lr == 0.1
    with pytest.raises(ValueError, match=r"held-out score at the kept rate, 0.1, is missing .* for seed 1"):
        _ = t.held_out


@pytest.mark.parametrize("result", [(0.5, 0.4, 0.3), [0.5]])
def test_a_result_of_other_than_one_or_two_scores_is_refused(result):
    with pytest.raises(ValueError, match=f"returned {len(result)} values"):
        tune(lambda lr, seed: result, LRS, [0])


def test_a_side_without_held_out_scores_says_how_to_get_them():
    with pytest.raises(ValueError, match=r"return a pair \(score, held-out score\)"):
        _ = tune(lambda lr, seed: lr, [0.1], [0]).held_out


def test_a_score_function_returning_both_kinds_is_refused():
    with pytest.raises(ValueError, match="every run, or a pair"):
        tune(lambda lr, seed: (lr, 0.5) if seed == 0 else lr, LRS, [0, 1])
    curve = quadratic(1.0, 0.9, {0: 0, 1: 0})
    with pytest.raises(ValueError, match="every run, or a pair"):
        tune_on_first_seed(lambda lr, seed: curve(lr, seed) if seed == 0 else (0.5, 0.5), LRS, [0, 1])
    with pytest.raises(ValueError, match="every run, or a pair"):
        tune_on_first_seed(lambda lr, seed: (curve(lr, seed), 0.5) if seed == 0 else 0.5, LRS, [0, 1])


def test_the_first_seeds_pick_keeps_every_seeds_held_out_score_at_the_rate():
    curve = quadratic(0.1, 0.9, {0: 0.0, 1: 0.0, 2: 0.0})
    t = tune_on_first_seed(held_out_pair(curve, lambda lr, seed: lr * 10 + seed), LRS, [0, 1, 2])
    assert t.held_out.at_best.tolist() == pytest.approx([1.0, 2.0, 3.0])
    assert t.held_out_scores.drop(index=0.1)[[1, 2]].isna().all().all()


def test_first_seed_lead_measures_the_picks_margin_against_the_seeds_spread():
    # Lower is better: seed 0 scores 1.0 at rate 10 and 1.3 at rate 1, a lead of 0.3; the seeds
    # at rate 10 spread over 0.2 (1.0, 1.1, 1.2), so the pick stands out.
    def score(lr, seed):
        return {1.0: 1.3, 10.0: 1.0, 100.0: 1.6, 0.1: 2.0}[lr] + seed / 10

    tuned = tune_on_first_seed(score, [0.1, 1.0, 10.0, 100.0], [0, 1, 2], higher_is_better=False)
    lead, within = first_seed_lead(tuned)
    assert lead == pytest.approx(0.3) and not within
    # Higher is better, and a lead smaller than the spread.
    tuned = tune_on_first_seed(lambda lr, seed: -score(lr, 0) + seed, [0.1, 1.0, 10.0, 100.0], [0, 1, 2])
    lead, within = first_seed_lead(tuned)
    assert lead == pytest.approx(0.3) and within
    # A lead exactly as large as the spread is within it ("no larger than").
    tuned = Tuned(_frame({1.0: [1.5, 1.5], 10.0: [1.0, 1.5]}), higher_is_better=False)
    assert first_seed_lead(tuned) == (0.5, True)
    with pytest.raises(ValueError, match="at least two rates"):
        first_seed_lead(Tuned(_frame({0.1: [1.0, 2.0]})))


def pairs(a, b):
    """Two `Tuned` laid out alike as the pairs of half scores `cross_fitted` reads."""
    return {(lr, seed): (a.scores.loc[lr, seed], b.scores.loc[lr, seed])
            for lr in a.scores.index for seed in a.scores.columns}


def test_a_cross_fit_whose_every_pick_agrees_finds_no_flattery():
    # Rate 0.1 is best on either half with any two seeds.
    a = Tuned(_frame(dict(zip([0.01, 0.1, 1.0], [[0.5, 0.6, 0.55], [0.9, 0.8, 0.85], [0.4, 0.3, 0.2]]))))
    b = Tuned(_frame(dict(zip([0.01, 0.1, 1.0], [[0.6, 0.5, 0.5], [0.7, 0.9, 0.8], [0.3, 0.2, 0.1]]))))
    whole = Tuned((a.scores + b.scores) / 2)
    fit = cross_fitted(pairs(a, b), whole)
    assert list(fit.index) == [(h, s) for h in ("first", "second") for s in (0, 1, 2)]
    assert (fit["picked"] == 0.1).all()
    assert (fit["score"] == fit["in sample"]).all()
    assert fit.loc[("first", 1), "score"] == 0.8 and fit.loc[("second", 0), "score"] == 0.7


def test_a_rate_that_wins_on_the_reported_runs_by_luck_is_found_out():
    # On the whole, 1.0 beats 0.1 by one lucky seed (seed 2) on the first half; the second
    # half prefers 0.1 at every seed.
    rates = [0.01, 0.1, 1.0]
    a = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.8], [0.75, 0.75, 1.0]]))))
    b = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.8], [0.78, 0.78, 0.78]]))))
    whole = Tuned((a.scores + b.scores) / 2)
    assert whole.best_lr == 1.0
    fit = cross_fitted(pairs(a, b), whole)
    # Read on the first half, every pick is the second half's: 0.1.
    assert (fit.loc["first", "picked"] == 0.1).all()
    assert fit.loc["first", "score"].tolist() == [0.8, 0.8, 0.8]
    assert fit.loc["first", "in sample"].tolist() == [0.75, 0.75, 1.0]
    # Read on the second half, the first half picks 1.0 while its lucky seed has a say.
    assert fit.loc["second", "picked"].tolist() == [1.0, 1.0, 0.1]
    assert fit.loc["second", "score"].tolist() == [0.78, 0.78, 0.8]
    flattery = (fit["in sample"] - fit["score"]).mean()
    assert flattery == pytest.approx((0.1 - 0.02) / 6)


def test_a_cross_fit_of_a_loss_picks_the_lowest():
    rates = [0.01, 0.1, 1.0]
    a = Tuned(_frame(dict(zip(rates, [[2.0, 2.0, 2.0], [1.0, 1.1, 0.9], [3.0, 3.0, 3.0]]))), higher_is_better=False)
    whole = Tuned(a.scores, higher_is_better=False)
    fit = cross_fitted(pairs(a, a), whole)
    assert (fit["picked"] == 0.1).all()
    flattery = cross_fit_summary({"loss": (fit, whole)}).loc["loss", "flattery"]
    assert f"{flattery:.4f}" == "0.0000"


def test_a_cross_fit_missing_a_runs_halves_or_with_one_seed_is_refused_with_what_to_do():
    whole = Tuned(_frame(dict(zip([0.1, 1.0], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]))))
    short = Tuned(_frame(dict(zip([0.1], [[0.1, 0.2, 0.3]]))))
    with pytest.raises(ValueError, match="no half scores for the run at rate 1 with seed 0: every run"):
        cross_fitted(pairs(short, short), whole)
    one_seed = Tuned(_frame(dict(zip([0.1, 1.0], [[0.1], [0.2]]))))
    with pytest.raises(ValueError, match="at least two seeds"):
        cross_fitted(pairs(one_seed, one_seed), one_seed)


def test_halves_lay_each_runs_pair_out_as_the_side_and_a_failed_run_fails_on_both():
    whole = Tuned(_frame(dict(zip([0.1, 1.0], [[0.5, 0.6, float("nan")], [0.7, 0.8, 0.9]]))))
    by_run = {(lr, s): (lr + s, lr - s) for lr in (0.1, 1.0) for s in (0, 1, 2)}
    a, b = halves(by_run, whole)
    assert a.scores.loc[1.0].tolist() == [1.0, 2.0, 3.0] and b.scores.loc[1.0].tolist() == [1.0, 0.0, -1.0]
    assert math.isnan(a.scores.loc[0.1, 2]) and math.isnan(b.scores.loc[0.1, 2])
    assert a.scores.loc[0.1, 1] == 1.1
    lower = Tuned(whole.scores, higher_is_better=False)
    assert not halves(by_run, lower)[0].higher_is_better
    del by_run[1.0, 2]
    with pytest.raises(ValueError, match="rate 1 with seed 2"):
        halves(by_run, whole)


def test_the_cross_fit_summary_counts_the_picks_and_signs_the_flattery_by_direction():
    rates = [0.01, 0.1, 1.0]
    a = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.8], [0.75, 0.75, 1.0]]))))
    b = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.8], [0.78, 0.78, 0.78]]))))
    whole = Tuned((a.scores + b.scores) / 2)
    row = cross_fit_summary({"side": (cross_fitted(pairs(a, b), whole), whole)}).loc["side"]
    assert (row["best lr"], row["same pick"], row["reads"]) == (1.0, 2, 6)
    assert row["flattery"] == pytest.approx(0.08 / 6)
    assert row["in sample"] - row["cross-fitted"] == pytest.approx(row["flattery"])
    # As losses (lower is better), the same tables mirrored: the flattery keeps its sign.
    neg = [Tuned(-t.scores, higher_is_better=False) for t in (a, b, whole)]
    row = cross_fit_summary({"side": (cross_fitted(pairs(*neg[:2]), neg[2]), neg[2])}).loc["side"]
    assert row["flattery"] == pytest.approx(0.08 / 6)


def test_half_scores_splits_the_predictions_in_order():
    preds = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    targets = torch.tensor([0, 1, 1, 1, 1])
    # First half: rows 0 and 1, both right; second: rows 2 to 4, one right of three.
    assert half_scores(accuracy, preds, targets) == pytest.approx([1.0, 1 / 3])
    with pytest.raises(ValueError, match="at least two"):
        half_scores(accuracy, preds[:1], targets[:1])


def test_a_cross_fit_pick_that_failed_at_the_seed_left_out_is_counted_and_not_skipped():
    # Rate 1.0 is the best wherever it ran, but failed at seed 2: the whole keeps 0.1 (a rate
    # with a failed seed never wins), and so do the picks that see seed 2; the two that leave
    # it out (one a half) choose 1.0, and read it where it failed.
    rates = [0.01, 0.1, 1.0]
    a = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.8], [0.9, 0.9, float("nan")]]))))
    whole = Tuned(a.scores)
    assert whole.best_lr == 0.1
    fit = cross_fitted(pairs(a, a), whole)
    assert fit.loc[("first", 2), "picked"] == 1.0 and math.isnan(fit.loc[("first", 2), "score"])
    row = cross_fit_summary({"side": (fit, whole)}).loc["side"]
    assert (row["same pick"], row["failed"]) == (4, 2)
    assert math.isnan(row["cross-fitted"]) and math.isnan(row["flattery"])


def test_a_tie_in_a_cross_fit_pick_goes_to_the_smaller_rate_as_the_whole_pick_does():
    rates = [0.01, 0.1, 1.0]
    # Seeds 0 and 1 tie 0.1 with 1.0; seed 2 favours 1.0, so the whole keeps 1.0.
    a = Tuned(_frame(dict(zip(rates, [[0.1, 0.1, 0.1], [0.8, 0.8, 0.5], [0.8, 0.8, 0.9]]))))
    whole = Tuned(a.scores)
    assert whole.best_lr == 1.0
    fit = cross_fitted(pairs(a, a), whole)
    assert fit.loc[("first", 2), "picked"] == 0.1 and fit.loc[("first", 0), "picked"] == 1.0
    row = cross_fit_summary({"side": (fit, whole)}).loc["side"]
    assert (row["same pick"], row["failed"]) == (4, 0)
    # Read at seed 2, the tie's pick (0.1) scores 0.5 where the kept rate scores 0.9.
    assert row["flattery"] == pytest.approx(2 * 0.4 / 6)


def summary_rows(higher_is_better=True, **rows):
    """A `cross_fit_summary`-shaped table: each row (best lr, same pick, reads, failed, in
    sample, cross-fitted, flattery)."""
    columns = ["best lr", "same pick", "reads", "failed", "in sample", "cross-fitted", "flattery"]
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    return table.assign(**{"higher is better": higher_is_better})


def test_the_cross_fit_in_words_says_once_when_every_pick_agrees():
    table = summary_rows(a=(0.1, 6, 6, 0, 0.9, 0.9, 0.0), b=(0.3, 6, 6, 0, 0.8, 0.8, 0.0))
    assert cross_fit_reading(table).startswith("every pick of the cross-fit is the rate kept")
    # The cross-fitted means are then the in-sample ones: no lead is weighed.
    assert cross_fit_reading(table, lead=("a", "b")) == cross_fit_reading(table)


def test_the_cross_fit_in_words_gives_each_sides_picks_and_the_sign_of_its_flattery():
    table = summary_rows(
        a=(0.3, 4, 6, 0, 0.93, 0.926, 0.004),
        b=(0.3, 6, 6, 0, 0.935, 0.935, 0.0),
        c=(0.1, 5, 6, 0, 0.90, 0.902, -0.002),
        d=(1.0, 3, 6, 2, 0.90, float("nan"), float("nan")),
    )
    text = cross_fit_reading(table, percent=True)
    assert "for a, the cross-fit picks 0.3, the rate kept on all the runs, in 4 of its 6 reads, and finds the " \
           "pick flattered it by 0.40 percentage points" in text
    # Every pick agreeing, the estimate is 0 whatever the flattery: said, not read as a finding.
    assert "for b, the cross-fit picks 0.3, the rate kept on all the runs, in 6 of its 6 reads, so its " \
           "estimate is 0 by construction, which does not show that the pick does not flatter it" in text
    assert "neither flattered" not in text
    assert "understated it by 0.20 percentage points" in text
    assert "2 of its picks had failed at the seed left out, so it gives no estimate" in text
    losses = summary_rows(False, a=(0.01, 5, 6, 0, 0.30, 0.31, 0.01), b=(0.1, 6, 6, 0, 0.3, 0.3, 0.0))
    assert "flattered it by 0.0100" in cross_fit_reading(losses)
    # A flattery that rounds to nothing, with picks that did not all agree, is a finding.
    level = summary_rows(a=(0.3, 4, 6, 0, 0.93, 0.93, 0.0), b=(0.3, 5, 6, 0, 0.9, 0.899, 0.001))
    assert "in 4 of its 6 reads, and finds the pick neither flattered nor understated it" in cross_fit_reading(
        level, percent=True)
    assert "picks 0.01, the value of wd kept on all the runs" in cross_fit_reading(losses, what="value of wd")


def test_the_cross_fit_lead_says_whether_the_in_sample_leader_stays_ahead():
    table = summary_rows(a=(0.3, 4, 6, 0, 0.930, 0.926, 0.004), b=(0.3, 6, 6, 0, 0.935, 0.935, 0.0))
    assert cross_fit_lead(table, "a", "b", percent=True) == (
        "the mean of b, ahead of that of a by 0.5 percentage points in sample, is still ahead cross-fitted, "
        "by 0.9 percentage points")
    # After the sides' clauses, as a sentence of its own.
    # b's picks all agree, so the gap moves by a's charge alone, which the sentence says.
    assert cross_fit_reading(table, percent=True, lead=("a", "b")).endswith(
        "does not flatter it. The mean of b, ahead of that of a by 0.5 percentage points "
        "in sample, is still ahead cross-fitted, by 0.9 percentage points. Since every pick for b agrees, the gap "
        "moves by the other side's flattery alone")
    # Where the other side's flattery rounds to nothing, the gap did not move: no such sentence.
    unmoved = table.assign(flattery=[0.00001, 0.0])
    assert "moves by" not in cross_fit_reading(unmoved, percent=True, lead=("a", "b"))
    both_charged = table.assign(**{"same pick": [4, 5]})
    assert cross_fit_reading(both_charged, percent=True, lead=("a", "b")).endswith(
        "still ahead cross-fitted, by 0.9 percentage points")
    table.loc["b", "cross-fitted"] = 0.920
    assert cross_fit_lead(table, "a", "b", percent=True).endswith(
        "is not ahead cross-fitted (behind by 0.6 percentage points)")
    table.loc["b", "cross-fitted"] = 0.926
    assert cross_fit_lead(table, "a", "b", percent=True).endswith("is not ahead cross-fitted (level)")
    table.loc["b", "in sample"] = 0.930
    assert cross_fit_lead(table, "a", "b", percent=True).startswith("in sample the means of a and b are level")
    table.loc["b", "cross-fitted"] = float("nan")
    assert "no cross-fitted mean" in cross_fit_lead(table, "a", "b", percent=True)


def test_the_cross_fit_lead_of_losses_puts_the_lower_mean_ahead():
    table = summary_rows(
        higher_is_better=False, sgd=(0.3, 6, 6, 0, 0.3321, 0.3321, 0.0), adam=(0.01, 6, 6, 0, 0.2815, 0.2815, 0.0)
    )
    assert cross_fit_lead(table, "adam", "sgd") == (
        "the mean of adam, ahead of that of sgd by 0.0506 in sample, is still ahead cross-fitted, by 0.0506")


def test_the_cross_fit_lead_refuses_sides_scored_in_opposite_directions():
    table = summary_rows(a=(0.3, 4, 6, 0, 0.93, 0.926, 0.004), b=(0.3, 6, 6, 0, 0.35, 0.35, 0.0))
    table.loc["b", "higher is better"] = False
    with pytest.raises(ValueError, match="opposite directions"):
        cross_fit_lead(table, "a", "b")


def test_the_cross_fit_summary_keeps_each_sides_direction():
    rates = [0.01, 0.1, 1.0]
    a = Tuned(_frame(dict(zip(rates, [[2.0, 2.0, 2.0], [1.0, 1.1, 0.9], [3.0, 3.0, 3.0]]))), higher_is_better=False)
    table = cross_fit_summary({"loss": (cross_fitted(pairs(a, a), a), a)})
    assert table.loc["loss", "higher is better"] == False  # noqa: E712 (a numpy bool)
    # Numbers stay numbers, for a chapter's table to round.
    assert all(table[column].dtype == float for column in ("best lr", "in sample", "cross-fitted", "flattery"))


def test_a_cross_fit_of_kept_learners_scores_each_runs_predictions_on_the_halves(monkeypatch):
    # At rate 0.1 the predictions are right on one item of the first half and on none of the
    # second; at rate 1.0 right on all four.
    targets = torch.tensor([0, 1, 0, 1])
    right = torch.nn.functional.one_hot(targets, 2).float()
    kept = {0.1: torch.cat([right[:1], 1 - right[1:]]), 1.0: right}

    class Kept:
        def __init__(self, preds):
            self.preds = preds

        def get_preds(self):
            return self.preds, targets

    side = Tuned(_frame({0.1: [0.25, 0.25, 0.25], 1.0: [1.0, 1.0, 1.0]}))
    read = {}

    def reading(by_run, whole):
        read.update(by_run)
        return cross_fitted(by_run, whole)

    monkeypatch.setattr(compare, "cross_fitted", reading)
    fit = cross_fit_learners(side, lambda lr, seed: Kept(kept[lr]), accuracy)
    assert (fit["picked"] == 1.0).all() and (fit["score"] == 1.0).all()
    # The halves it read are each run's own predictions, the first half first.
    seeds = side.scores.columns
    assert read == {**{(0.1, s): [0.5, 0.0] for s in seeds}, **{(1.0, s): [1.0, 1.0] for s in seeds}}
