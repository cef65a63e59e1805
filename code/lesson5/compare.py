"""Fair comparisons: each side at its own best learning rate, over several seeds.

Introduced in book/02_from_scratch.ipynb (input normalisation) and used again in
book/03_cross_entropy.ipynb (cross-entropy against MSE). Two training recipes compared at one
shared learning rate mostly measure which of them that rate suits. Here each side runs every
rate of the same grid with every seed, keeps the rate with the best mean score, and reports the
mean, minimum and maximum over the seeds at that rate. The rate is picked on the same runs it is
then reported with, so each side's best score is somewhat optimistic. A score function that
also scores a held-out set, which the choice never reads, returns both, and `Tuned.held_out`
reads the side on that set at the rate kept: book/07_transfer.ipynb estimates the optimism so.
Without such a set, `cross_fitted` estimates it from the runs themselves, picking on one half
of the validation set and reading on the other (book/02_from_scratch.ipynb, then
book/03_cross_entropy.ipynb, book/04_optimizers.ipynb and book/05_weight_decay.ipynb).

A chapter can walk the grid outward from a rate (`start`) instead of running all of it
(book/02_from_scratch.ipynb's activations, book/03_cross_entropy.ipynb's digit-as-number loss,
book/06_collab.ipynb's models, and book/07_transfer.ipynb, which tunes many sides): a side then
runs rates until its best is bracketed, which is what the full grid is checked for anyway. On a
curve with more than one peak the walk can stop at a lower one, which can only lower a side's
best mean (its range at the rate kept can move either way), so book/07_transfer.ipynb walks
only the sides a verdict could credit, and runs the whole grid for the sides they are measured
against. book/04_optimizers.ipynb and book/05_weight_decay.ipynb walk every side alike, on one
grid wide enough for all of them, since their best values lie orders of magnitude apart.

`tune_on_first_seed` (book/06_collab.ipynb) runs fewer still: the first seed alone picks the
rate, and only that rate runs with the other seeds, whose scores then had no say in the choice.
That suits sides whose seeds differ far less than their rates do (06's validation losses); where
one seed's score is as noisy as the gaps between rates (07's few-label accuracies), one seed
would pick a rate by chance, and `tune`'s mean over every seed is the one to use.
"""

import math
import re
import string
from dataclasses import dataclass
from functools import partial

import pandas as pd

from .glue import points


@dataclass
class Tuned:
    """One side's scores, a row per learning rate and a column per seed; `held_out_scores`, laid
    out alike, when its runs also scored a held-out set (see `tune`)."""

    scores: pd.DataFrame
    higher_is_better: bool = True
    held_out_scores: pd.DataFrame | None = None

    @property
    def best_lr(self):
        """The learning rate with the best mean over the seeds; a rate where any seed failed (NaN) never wins."""
        means = self.scores.mean(axis=1, skipna=False).dropna()
        if means.empty:
            raise ValueError(f"at every rate ({list(self.scores.index)}) a seed failed (NaN): "
                             "add smaller rates to the grid")
        return means.idxmax() if self.higher_is_better else means.idxmin()

    @property
    def at_best(self):
        """The scores of each seed at `best_lr`."""
        return self.scores.loc[self.best_lr]

    @property
    def mean(self):
        """The mean over the seeds at `best_lr` (not over the grid)."""
        return self.at_best.mean()

    @property
    def min(self):
        """The lowest seed's score at `best_lr`."""
        return self.at_best.min()

    @property
    def max(self):
        """The highest seed's score at `best_lr`."""
        return self.at_best.max()

    @property
    def held_out(self):
        """The side on its held-out set at `best_lr`, a rate that set had no say in, as a
        one-row `Tuned` that `summary`, `verdict` and `ahead_at_every_seed` read as they read
        this one."""
        if self.held_out_scores is None:
            raise ValueError("this side has no held-out scores: its score function returned one number a "
                             "run; return a pair (score, held-out score) for tune to keep the second")
        at_best = self.held_out_scores.loc[self.best_lr]
        missing = at_best.index[at_best.isna()]
        if len(missing):
            raise ValueError(f"the held-out score at the kept rate, {self.best_lr:g}, is missing (NaN or "
                             f"infinite) for seed {missing[0]}: a mean over the seeds needs every one")
        return over_seeds(at_best, at_best.index, self.best_lr, self.higher_is_better)


def tune(score, lrs, seeds, higher_is_better=True, start=None):
    """Runs `score(lr, seed)` for every learning rate of the grid `lrs` (or,
    with `start`, those of its rates that a walk reaches) and every seed;
    returns a `Tuned`.

    `score` may return a pair instead, (score, held-out score), the second
    measured on images or ratings the first never saw. Only the first picks
    the rate; the `Tuned` keeps the second in `held_out_scores`, and
    `Tuned.held_out` reads the side on the held-out set at the rate kept.
    Every run then returns a pair.

    A run that diverged should return NaN (or inf when lower is better): that
    rate is then never the best one. The best rate must lie inside the grid:
    at either end, ahead of its neighbour at every seed, a rate beyond might
    do better, and tune raises ValueError, so that no comparison rests on a
    side that was never tuned.

    With `start` (one of `lrs`), tune does not run the whole grid: from
    `start` it runs the rate below, then one rate at a time outward past
    whichever end of the rates run holds the best mean, until a rate no
    better (or failed) lies beyond the best on both sides, or the walk
    reaches an end of the grid (checked as above). While every rate run has
    failed for some seed, it walks toward smaller rates. The `Tuned` holds
    the rates run.
    """
    lrs, seeds = list(lrs), list(seeds)
    if not lrs or not seeds:
        raise ValueError("tune needs at least one learning rate and one "
                         f"seed, got lrs={lrs}, seeds={seeds}")
    if start is not None and start not in lrs:
        raise ValueError(
            f"start must be one of the grid's rates {lrs}, got {start}")
    rows, held = {}, {}

    def run(lr):
        rows[lr], held[lr] = zip(*(_pair(score(lr, seed)) for seed in seeds))

    if start is None:
        for lr in lrs:
            run(lr)
    else:
        grid = sorted(lrs)
        lo = hi = grid.index(start)
        run(start)
        # The rate below first, then outward on whichever side the best is.
        # While no rate run has a score for every seed, the walk looks for a
        # smaller rate.
        while True:
            so_far = _tuned(rows, held, seeds, higher_is_better)
            best = None if _all_failed(so_far) else so_far.best_lr
            if lo > 0 and (best is None or best == grid[lo] or lo == hi):
                lo -= 1
                run(grid[lo])
            elif (hi < len(grid) - 1 and best is not None
                  and best == grid[hi]):
                hi += 1
                run(grid[hi])
            else:
                break
    tuned = _tuned(rows, held, seeds, higher_is_better)
    if _all_failed(tuned):
        raise ValueError(f"every learning rate run, {list(rows)}, failed "
                         "for some seed (a score was NaN or infinite): add "
                         "smaller rates to the grid")
    _check_inside(tuned)
    return tuned


def tune_on_first_seed(score, lrs, seeds, higher_is_better=True, start=None):
    """`tune` with fewer runs: every rate of `lrs` (or, with `start`, the
    rates the walk from it reaches) with the first seed alone, which picks
    the best rate (refused at an end of the grid, as `tune` refuses it); then
    that rate with the other seeds too. Returns a `Tuned` whose other rates
    hold NaN for the seeds never run, so its `best_lr` is the picked rate,
    the one rate with a mean.

    Raises ValueError when the picked rate fails (NaN or infinite) for
    another seed: the side then has no mean at any rate. Adding rates would
    not help, since the first seed would pick the same one; `tune`, whose
    best rate must succeed for every seed, is what to use instead.
    """
    seeds = list(seeds)
    first = tune(score, lrs, seeds[:1], higher_is_better, start)
    best = first.best_lr
    scores = first.scores.reindex(columns=seeds)
    held = first.held_out_scores
    if held is not None:
        held = held.reindex(columns=seeds)
    for seed in seeds[1:]:
        result, held_result = _pair(score(best, seed))
        scores.loc[best, seed] = result
        if (held is None) != (held_result is None):
            raise ValueError(_MIXED)
        if held is not None:
            held.loc[best, seed] = held_result
    failed = [seed for seed in seeds[1:]
              if math.isnan(scores.loc[best, seed])]
    if failed:
        raise ValueError(
            f"the rate the first seed picked, {best:g}, failed (a score was "
            f"NaN or infinite) for seed {failed[0]}: tune this side with "
            "`tune`, whose best rate must succeed for every seed, or drop "
            "the rates from this one up from the grid")
    scores.columns.name = "seed"
    return Tuned(scores, higher_is_better, held)


def first_seed_lead(tuned):
    """For a side that `tune_on_first_seed` tuned: how far the rate its first seed picked was
    ahead of that seed's next best rate, and whether that lead is no larger than the spread
    between the seeds at the kept rate, when another seed might have picked another rate.
    Returns (lead, within_spread). book/06_collab.ipynb checks its sides so.
    """
    first = tuned.scores.iloc[:, 0].dropna().sort_values(ascending=not tuned.higher_is_better)
    if len(first) < 2:
        raise ValueError(f"a lead needs at least two rates run with the first seed, got {list(first.index)}")
    lead = abs(first.iloc[1] - first.iloc[0])
    return lead, lead <= tuned.max - tuned.min


def half_scores(metric, preds, targets):
    """`metric` on the first and on the second half of a validation set's predictions, for
    `halves`: two random halves where the set is in random order, as
    `lesson5.datasets.load_mnist_10k`'s is. Introduced in book/02_from_scratch.ipynb (the
    cross-fit), with book/03_cross_entropy.ipynb, book/04_optimizers.ipynb and
    book/05_weight_decay.ipynb.

    With an odd number of predictions the second half holds one more, and the mean of the two
    scores is then not quite the score on the whole set."""
    n = len(targets) // 2
    if n == 0:
        raise ValueError(f"halves need at least two predictions, got {len(targets)}")
    return [float(metric(preds[:n], targets[:n])), float(metric(preds[n:], targets[n:]))]


def halves(by_run, whole):
    """`whole`'s runs scored on each half of the validation set, for `cross_fitted`: `by_run`
    maps each run's (rate, seed) to its scores on the two halves (`half_scores`). Returns two
    `Tuned` laid out as `whole`, a run that failed there (NaN) failing on both halves too.
    Introduced in book/02_from_scratch.ipynb."""
    rates, seeds = whole.scores.index, whole.scores.columns
    missing = [(lr, seed) for lr in rates for seed in seeds if (lr, seed) not in by_run]
    if missing:
        raise ValueError(f"no half scores for the run at rate {missing[0][0]:g} with seed {missing[0][1]}: "
                         "every run of the side needs its pair")
    return tuple(
        Tuned(
            pd.DataFrame([[by_run[lr, seed][k] for seed in seeds] for lr in rates], index=rates, columns=seeds)
            .where(whole.scores.notna()),
            whole.higher_is_better,
        )
        for k in range(2)
    )


def cross_fitted(by_run, whole):
    """How much picking the rate on the runs it is then reported with flatters a side, measured
    on those runs alone. Introduced in book/02_from_scratch.ipynb; book/03_cross_entropy.ipynb,
    book/04_optimizers.ipynb and book/05_weight_decay.ipynb (on validation losses) read it too.

    `whole` is the side, tuned on its whole validation set, and `by_run` maps each of its runs'
    (rate, seed) to its scores on two disjoint halves of that set (`half_scores`). For each
    half and each seed, the rate is picked as `Tuned.best_lr` picks it, on the other half's runs
    with the other seeds, and read on this half at this seed, a score that had no say in the
    choice: leaving out the images alone would keep the run's own luck in the pick, leaving out
    the seed alone the images'. Beside each such read is the score on the same half and seed at
    `whole.best_lr`, the rate picked on all the runs. Returns a DataFrame with a row per
    (half, seed): "picked", "score" there and "in sample".

    `cross_fit_summary` averages the reads. Each pick here sees half the images and one seed
    fewer than the real one; if a better-informed pick does no worse on average, the estimate
    leans high on average over repeats of the experiment. In any one experiment it can fall
    either side of the true flattery, and where every pick agrees with `whole.best_lr` it is 0
    by construction, although the kept rate's own luck is still in its score.
    """
    a, b = halves(by_run, whole)
    seeds = list(whole.scores.columns)
    if len(seeds) < 2:
        raise ValueError("a cross-fit leaves one seed out of each pick, so it needs at least two seeds")
    rows = {}
    for name, (read, other) in {"first": (a, b), "second": (b, a)}.items():
        for seed in seeds:
            picked = Tuned(other.scores.drop(columns=seed), whole.higher_is_better).best_lr
            rows[name, seed] = {
                "picked": picked,
                "score": read.scores.loc[picked, seed],
                "in sample": read.scores.loc[whole.best_lr, seed],
            }
    return pd.DataFrame(rows).T.rename_axis(["half", "seed"])


def cross_fit_learners(side, learner_of, metric):
    """`cross_fitted` for a side whose trained learners are kept: `learner_of(lr, seed)` gives
    the run's `Learner`, whose `get_preds` is scored by `metric` on each half of its validation
    set. book/04_optimizers.ipynb and book/05_weight_decay.ipynb keep their runs so."""
    by_run = {
        (lr, seed): half_scores(metric, *learner_of(lr, seed).get_preds())
        for lr in side.scores.index
        for seed in side.scores.columns
    }
    return cross_fitted(by_run, side)


def cross_fit_summary(sides):
    """A row per side (a dict name -> (`cross_fitted`'s table, the side's `Tuned`)): the rate
    kept on all the runs ("best lr") and the side's direction ("higher is better"); in how many
    of the reads the cross-fit picked that rate ("same pick", of "reads"), and in how many the
    rate it picked had failed (NaN) at the seed left out ("failed"); the side's mean over its
    reads in sample and cross-fitted; and the "flattery", the first less the second (the second
    less the first when lower is better): how much picking on the reported runs flatters the
    side. A failed read makes the cross-fitted mean and the flattery NaN: a pick that diverged
    is the worst outcome, and skipping it would understate the flattery. Introduced in
    book/02_from_scratch.ipynb."""
    rows = {}
    for name, (fit, whole) in sides.items():
        sign = 1 if whole.higher_is_better else -1
        score = fit["score"].astype(float)
        in_sample, cross = fit["in sample"].mean(), score.mean(skipna=False)
        rows[name] = {
            "best lr": whole.best_lr,
            "higher is better": whole.higher_is_better,
            "same pick": int((fit["picked"] == whole.best_lr).sum()),
            "reads": len(fit),
            "failed": int(score.isna().sum()),
            "in sample": in_sample,
            "cross-fitted": cross,
            # + 0.0: no flattery at all reads 0.0, not -0.0, when lower is better.
            "flattery": sign * (in_sample - cross) + 0.0,
        }
    kinds = {"higher is better": bool, "same pick": int, "reads": int, "failed": int}
    kinds |= dict.fromkeys(["best lr", "in sample", "cross-fitted", "flattery"], float)
    return pd.DataFrame(rows).T.astype(kinds)


def _amount(gap, percent, places=2):
    """A gap's size as the cross-fit's sentences write it: percentage points to `places`
    decimals for accuracies (`percent`), four decimals otherwise."""
    return f"{points(gap, signed=False, places=places)} percentage points" if percent else f"{abs(gap):.4f}"


def cross_fit_reading(summary, percent=False, lead=None, what="rate"):
    """`cross_fit_summary`'s table in words, a clause per side (its index names the sides), for a
    chapter's text; one clause for all when every pick agrees with the rate kept. `percent`
    writes the flattery in percentage points (for accuracies). With `lead`, a pair of the
    table's sides, `cross_fit_lead`'s sentence on them follows, unless every pick agrees (the
    cross-fitted means are then the in-sample ones). A side whose picks all agree has an
    estimate of 0 by construction, and its clause says so rather than that it found none.
    `what` names the setting picked (a weight decay in book/05_weight_decay.ipynb).
    Introduced in book/02_from_scratch.ipynb."""
    agreed = summary["same pick"] == summary["reads"]
    if agreed.all():
        # Every read is then the in-sample score itself: no lead to weigh.
        return (f"every pick of the cross-fit is the {what} kept on all the runs, for each side, so it finds no "
                "flattery (its estimate is 0 whenever the picks all agree)")
    after = ""
    if lead is not None:
        sentence = cross_fit_lead(summary, *lead, percent)
        after = ". " + sentence[0].upper() + sentence[1:]
        free = [name for name in lead if agreed[name]]
        if len(free) == 1 and not summary.loc[list(lead), "failed"].any():
            other = lead[1] if free[0] == lead[0] else lead[0]
            # Then the gap moves by the other side's flattery alone, which says nothing of this one.
            if _amount(summary.loc[other, "flattery"], percent) != _amount(0, percent):
                after += (f". Since every pick for {free[0]} agrees, the gap moves by the other "
                          "side's flattery alone")
    clauses = []
    for name, row in summary.iterrows():
        head = (f"for {name}, the cross-fit picks {row['best lr']:g}, the {what} kept on all the runs, in "
                f"{int(row['same pick'])} of its {int(row['reads'])} reads")
        if row["failed"]:
            clauses.append(f"{head}; {int(row['failed'])} of its picks had failed at the seed left out, so "
                           "it gives no estimate")
        elif agreed[name]:
            clauses.append(f"{head}, so its estimate is 0 by construction, which does not show that the pick "
                           "does not flatter it")
        elif _amount(row["flattery"], percent) == _amount(0, percent):
            clauses.append(f"{head}, and finds the pick neither flattered nor understated it")
        else:
            side = "flattered" if row["flattery"] > 0 else "understated"
            clauses.append(f"{head}, and finds the pick {side} it by {_amount(row['flattery'], percent)}")
    return "; ".join(clauses) + after


def cross_fit_lead(summary, a, b, percent=False):
    """Rows `a` and `b` of `cross_fit_summary`'s table in words: which side's mean is ahead in
    sample, and whether it still is in the cross-fitted means, each gap as the table writes
    the means. Introduced in book/02_from_scratch.ipynb."""
    directions = set(summary.loc[[a, b], "higher is better"])
    if len(directions) > 1:
        raise ValueError(f"{a} and {b} are scored in opposite directions (one higher is better, one lower): "
                         "compare sides of one score")
    higher_is_better = directions.pop()
    fmt = "{:.1%}" if percent else "{:.4f}"
    means = summary.loc[[a, b], ["in sample", "cross-fitted"]].astype(float)
    if means["cross-fitted"].isna().any():
        return "a failed pick leaves no cross-fitted mean to compare"
    sign = 1 if higher_is_better else -1
    gap_in = sign * written_difference(means.loc[a, "in sample"], means.loc[b, "in sample"], fmt)
    lead, other = (a, b) if gap_in >= 0 else (b, a)
    gap_in = abs(gap_in)
    gap_fit = sign * written_difference(means.loc[lead, "cross-fitted"], means.loc[other, "cross-fitted"], fmt)
    amount = partial(_amount, percent=percent, places=1)
    if gap_in == 0:
        return f"in sample the means of {a} and {b} are level; cross-fitted, they differ by {amount(gap_fit)}"
    ahead = f"the mean of {lead}, ahead of that of {other} by {amount(gap_in)} in sample,"
    if gap_fit > 0:
        return f"{ahead} is still ahead cross-fitted, by {amount(gap_fit)}"
    return f"{ahead} is not ahead cross-fitted ({'level' if gap_fit == 0 else 'behind by ' + amount(gap_fit)})"


def over_seeds(scores, seeds, label=None, higher_is_better=True):
    """One setting's scores, one per seed in the order of `seeds`, as a `Tuned` with a single
    row named `label` (the rate or setting they ran at), so that `summary`, `verdict` and
    `ahead_at_every_seed` read them as they read a tuned side: for results nothing was tuned
    for (book/02_from_scratch.ipynb's two depths and book/03_cross_entropy.ipynb's first epochs at
    one rate, book/04_optimizers.ipynb's accuracies at the rate a loss picked,
    book/05_weight_decay.ipynb's fixed settings, book/07_transfer.ipynb's search scores). A failed
    run (a NaN or infinite score) is an error: one seed's failure would leave no mean."""
    scores, seeds = [float(s) for s in scores], list(seeds)
    if len(scores) != len(seeds):
        raise ValueError(f"over_seeds needs one score per seed: got {len(scores)} scores for seeds {seeds}")
    failed = [seed for seed, s in zip(seeds, scores) if not math.isfinite(s)]
    if failed:
        where = "a run" if label is None else f"the run at {label}"
        raise ValueError(f"{where} failed (its score is NaN or infinite) for seed {failed[0]}: "
                         "a mean over the seeds needs every run to succeed; a smaller rate may")
    frame = pd.DataFrame([scores], index=[label], columns=seeds)
    frame.columns.name = "seed"
    return Tuned(frame, higher_is_better)


def _all_failed(tuned):
    """Whether every rate run so far failed for some seed (has a NaN score)."""
    return tuned.scores.isna().any(axis=1).all()


_MIXED = ("a score function returns one number every run, or a pair (score, held-out score) every run; "
          "this one returned both kinds")


def _pair(result):
    """A run's result as (score, held-out score or None), each score that is not finite as
    NaN; a diverged run (its score not finite) scores nothing on either set."""
    if isinstance(result, (tuple, list)):
        if len(result) != 2:
            raise ValueError(f"a score function returns one number, or a pair (score, held-out score); "
                             f"this one returned {len(result)} values")
        score, held = (_finite(r) for r in result)
        return score, math.nan if math.isnan(score) else held
    return _finite(result), None


def _finite(score):
    """`score` as a float, NaN when it is not finite."""
    score = float(score)
    return score if math.isfinite(score) else math.nan


def _tuned(rows, held, seeds, higher_is_better):
    """The runs so far (dicts rate -> one score, and one held-out score or None, per seed) as a
    `Tuned`, rates in increasing order whatever the order they ran in: a tie between two rates
    then goes to the smaller one, on the whole grid and on a walk alike."""

    def frame(by_rate):
        table = pd.DataFrame.from_dict(dict(sorted(by_rate.items())), orient="index", columns=seeds)
        table.index.name, table.columns.name = "lr", "seed"
        return table

    kinds = {r is None for results in held.values() for r in results}
    if len(kinds) > 1:
        raise ValueError(_MIXED)
    return Tuned(frame(rows), higher_is_better, None if True in kinds else frame(held))


def _check_inside(tuned):
    """Raises ValueError when the best rate is at an end of the grid and beats the rate next to
    it at every seed: a trend the grid cuts off, so a rate beyond may do better still. A best
    end rate that wins by noise alone (a side that learns at no rate of the grid) passes, and
    so does a best rate next to one that failed: a grid run on until a rate fails brackets it."""
    rates = sorted(tuned.scores.index)
    best = tuned.best_lr
    if len(rates) < 2 or best not in (rates[0], rates[-1]):
        return
    neighbour = rates[1] if best == rates[0] else rates[-2]
    lead = tuned.scores.loc[best] - tuned.scores.loc[neighbour]
    if not tuned.higher_is_better:
        lead = -lead
    if (lead > 0).all():
        side, beyond = ("smallest", "smaller") if best == rates[0] else ("largest", "larger")
        raise ValueError(f"the best learning rate, {best:g}, is the {side} in the grid {rates} and beats "
                         f"{neighbour:g} at every seed: a {beyond} rate may do better, so add one to the grid")


def summary(sides):
    """A table with a row per side (a dict name -> Tuned): best lr, mean, min and max at that lr."""
    return pd.DataFrame({name: {"best lr": t.best_lr, "mean": t.mean, "min": t.min, "max": t.max}
                         for name, t in sides.items()}).T


def verdict(name_a, a, name_b, b, fmt="{:.4f}"):
    """One sentence on which side is ahead, computed from the two `Tuned` results, each score
    written with `fmt` (with a percentage format, the gap in percentage points).

    "At every seed" only when the worse side's best seed does not reach the better side's
    worst seed; otherwise the ranges overlap and the sentence says so, with the gap in means.
    A lead at every seed narrower than the larger of the two sides' mean gaps between
    neighbouring seeds' scores is thin (`thin_lead`, which compares the unrounded scores), and
    the sentence gives the margin (the leader's worst seed against the other's best), names the
    side with that gap and says that one more seed could make the two overlap. Judging that
    needs two seeds a side or more: with one, a lead is refused (ValueError), since nothing
    shows how far another seed could land.
    Where lower is better (a loss), the sentence says that too. The gap is the difference of
    the two means as written (`written_difference`), so that a reader who subtracts them gets it. The sentence has
    no colon, so that a page can introduce it with one, and no possessive on a side's name,
    which can be any phrase without a comma ("no decay", "the deeper network"): the sentence
    puts the name after "with" or "for", where a comma would split it.
    """
    _check_scored_alike("verdict", a, b)
    better_a = a.mean >= b.mean if a.higher_is_better else a.mean <= b.mean
    (win_name, win), (lose_name, lose) = ((name_a, a), (name_b, b)) if better_a else ((name_b, b), (name_a, a))
    gap = _written_gap(win.mean, lose.mean, fmt) + " on average" + ("" if a.higher_is_better else " (lower is better)")
    win_worst, lose_best = (win.min, lose.max) if a.higher_is_better else (win.max, lose.min)
    if not ahead_at_every_seed(win, lose):
        return (f"the two overlap, with {win_name} ahead by {gap} but its worst seed ({fmt.format(win_worst)}) "
                f"no better than the other's best ({fmt.format(lose_best)})")
    text = (f"{win_name} is ahead by {gap} and at every seed, its worst seed ({fmt.format(win_worst)}) "
            f"beating the other's best ({fmt.format(lose_best)})")
    if thin_lead(win, lose):
        # The margin named, so that a reader compares it with the gap beside it, not with the
        # lead in means.
        wide_name, wide = max(((win_name, win), (lose_name, lose)), key=lambda side: _seed_gap(side[1]))
        text += (f" by {_written_gap(win_worst, lose_best, fmt)}, less than the mean gap between neighbouring "
                 f"seeds' scores for {wide_name} ({_gap(_seed_gap(wide), fmt)}), so one more seed could make the "
                 "two overlap")
    return text


def written(value, fmt="{:.4f}"):
    """`value` as `fmt` writes it, read back as a number (a percentage as a fraction): what a
    reader of the page has to go on."""
    text = format(value, _spec(fmt)).replace(",", "")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def written_difference(x, y, fmt="{:.4f}"):
    """`x` minus `y` as a reader computes it from the two as `fmt` writes them (a fraction for
    a percentage format), so that a gap printed beside the two scores agrees with them."""
    return written(x, fmt) - written(y, fmt)


def _spec(fmt):
    """The format spec of `fmt`'s one replacement field: ".1%" for "{:.1%} accuracy"."""
    specs = [spec for _, field, spec, _ in string.Formatter().parse(fmt) if field is not None]
    if len(specs) != 1:
        raise ValueError(f"a score's format has one replacement field, such as '{{:.4f}}' or '{{:.1%}}'; got {fmt!r}")
    return specs[0]


def _written_gap(x, y, fmt):
    """The gap between `x` and `y` as the difference of the two as `fmt` writes them; when
    both are written alike, "less than" one unit of the last digit."""
    gap = abs(written_difference(x, y, fmt))
    if gap:
        return _gap(gap, fmt)
    digits = re.fullmatch(r".*\.(\d+)([f%])", _spec(fmt))
    if digits is None:  # a format without a fixed last digit (e, g): the gap as it is
        return _gap(abs(x - y), fmt)
    return "less than " + _gap(10.0 ** -int(digits.group(1)) / (100 if digits.group(2) == "%" else 1), fmt)


def _gap(gap, fmt):
    """`gap` written with `fmt`; a gap between two percentages is in percentage points, since
    90% against 80% is a lead of 10 points, not of 10% (which would be 8 points)."""
    spec = _spec(fmt)
    if spec.endswith("%"):
        return format(100 * gap, spec[:-1] + "f") + " percentage points"
    return fmt.format(gap)


def ahead_at_every_seed(a, b):
    """Whether `a`'s worst seed beats `b`'s best seed (both `Tuned`, each at its best rate).

    This is the test behind `verdict`'s "at every seed": a lead in the means alone can
    come from one lucky seed.
    """
    _check_scored_alike("ahead_at_every_seed", a, b)
    return a.min > b.max if a.higher_is_better else a.max < b.min


def chance_ahead_at_every_seed(n_seeds):
    """How often one of two sides is ahead at every seed by chance alone, with `n_seeds` seeds
    a side, when all their scores are independent draws from one distribution and none tie:
    whenever all of one side's scores outrank all of the other's, 2 of the C(2n, n) equally
    likely ways the 2n scores can fall between the sides. Runs that share their seeds, and
    scores that tie, make it rarer.

    What a lead at every seed is worth: book/02_from_scratch.ipynb says it where it defines the
    verdicts, and book/04_optimizers.ipynb sets its count of such leads beside it.
    """
    if n_seeds < 1:
        raise ValueError(f"a side needs at least one seed, got {n_seeds}")
    return 2 / math.comb(2 * n_seeds, n_seeds)


def standing(a, b):
    """Where `a` stands against `b` (both `Tuned`, each at its best rate), over the seeds:
    "ahead" when its worst seed beats `b`'s best (`ahead_at_every_seed`), "behind" when `b`'s
    worst seed beats its best, and "overlap" when the two ranges meet, so that neither lead in
    the means can be told from the draw of seeds.

    The three readings that the sentences of book/02_from_scratch.ipynb,
    book/03_cross_entropy.ipynb, book/05_weight_decay.ipynb, book/06_collab.ipynb and
    book/07_transfer.ipynb choose among, and that book/04_optimizers.ipynb counts over its
    ablations; `thin_lead` (or `thin_caveat`) says whether a lead at every seed is a thin one.
    """
    if ahead_at_every_seed(a, b):
        return "ahead"
    if ahead_at_every_seed(b, a):
        return "behind"
    return "overlap"


def thin_lead(a, b):
    """Whether `a` is ahead of `b` at every seed (`ahead_at_every_seed`), but by less than
    the larger of the two sides' mean gaps between neighbouring seeds' scores (a side's range
    divided by one less than its number of seeds, at its best rate), compared unrounded.

    That gap is how far a side's seeds land from one another; one more seed landing that far
    past its side's extreme, towards the other side, would make the two overlap, so such a
    lead rests on the draw of seeds. `verdict` says so in words; a chapter that builds its
    own sentence from `ahead_at_every_seed` asks this too. Each side needs two seeds or more.
    """
    _check_scored_alike("thin_lead", a, b)
    if not ahead_at_every_seed(a, b):
        return False
    margin = a.min - b.max if a.higher_is_better else b.min - a.max
    return margin < max(_seed_gap(a), _seed_gap(b))


def thin_caveat(a, b):
    """", though thinly" when `a` leads `b` at every seed by a thin margin (`thin_lead`), else
    "": the caveat a chapter's own sentence about a lead at every seed ends with."""
    return ", though thinly" if thin_lead(a, b) else ""


def _seed_gap(tuned):
    """The mean gap between neighbouring scores of a side's seeds, at its best rate."""
    seeds = len(tuned.at_best)
    if seeds < 2:
        raise ValueError(f"a side has {seeds} seed: how far its seeds land from one another, which tells "
                         "whether a lead is thin, needs at least two; run more seeds")
    return (tuned.max - tuned.min) / (seeds - 1)


def _check_scored_alike(what, a, b):
    if a.higher_is_better != b.higher_is_better:
        raise ValueError(f"{what} compares two results scored the same way; one has "
                         f"higher_is_better={a.higher_is_better}, the other {b.higher_is_better}")
