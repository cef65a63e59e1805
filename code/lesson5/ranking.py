"""Ranking items by one number: the highest and the lowest side by side, and how closely two
rankings agree.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings), which ranks movies
by their learned bias and along principal components of their factors, and compares rankings
(mean rating against bias, an occupation's distance against its number of users).
"""

import numpy as np
import pandas as pd
import torch


def top_bottom(values, labels, n=10, name="value", label="title", extra=None, digits=3):
    """The `n` labels with the highest values beside the `n` with the lowest, as one table.

    `values` is one number per label (a bias, a principal-component score); `extra` maps
    column names to further numbers per label to show alongside (a mean rating). Columns
    are grouped under "highest" and "lowest"; numbers are rounded to `digits` for display.
    """
    frame = pd.DataFrame({label: list(labels), name: _numbers(values)})
    for column, numbers in (extra or {}).items():
        frame[column] = _numbers(numbers)
    if len(frame) < n:
        raise ValueError(f"asked for {n} highest and lowest but there are only {len(frame)} items")
    high = frame.sort_values(name, ascending=False, kind="stable").head(n)
    low = frame.sort_values(name, ascending=True, kind="stable").head(n)
    table = pd.concat({"highest": high.reset_index(drop=True), "lowest": low.reset_index(drop=True)}, axis=1)
    table.index = range(1, n + 1)
    return table.round(digits)


def _numbers(values):
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().double().numpy().reshape(-1)
    return np.asarray(values, dtype=np.float64).reshape(-1)


def spearman(x, y):
    """Spearman's rank correlation of two sequences of numbers: Pearson's correlation of their
    ranks, tied values sharing the mean of the ranks they span. +1 when `y` rises wherever `x`
    does, -1 when it always falls; NaN when either is constant (no ranking to compare)."""
    x, y = _numbers(x), _numbers(y)
    if len(x) != len(y) or len(x) < 2:
        raise ValueError(f"spearman needs two sequences of the same length, at least 2, got {len(x)} and {len(y)}")
    # A NaN has no rank: sorting would give it the highest, and a number would come out.
    missing = np.flatnonzero(np.isnan(x) | np.isnan(y))
    if len(missing):
        raise ValueError(f"spearman got NaN at {len(missing)} positions (the first: {missing[:5].tolist()}): "
                         "drop those pairs first")
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def _ranks(values):
    """Ranks from 1, ties given the mean of the ranks they span."""
    order = values.argsort(kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    _, group, sizes = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(group, weights=ranks) / sizes)[group]
