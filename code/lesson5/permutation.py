"""Permutation tests: how often random orders do as well as the real one.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings), which asks whether
the occupations' distances in the embedding follow their numbers of users, and whether the
regions' embedding follows the map, more closely than random orders of the same items do.
"""

import math

import torch


def share_as_strong(observed, statistic, n, n_orders=2000, seed=0):
    """The share of `n_orders` random permutations of `range(n)` whose `statistic` reaches
    `observed` (is at least as large).

    `statistic` takes one permutation (a tensor of indices) and returns a number that grows with
    the strength of the pattern, so a two-sided question passes an absolute value. A small
    share says the real order is one that random orders rarely match; a large one says chance
    alone does as well. The permutations come from their own generator seeded with `seed`,
    so the share is the same at every run and the caller's random state is left alone.

    A statistic that is NaN or infinite (a correlation of a constant column) reaches nothing
    and would pass for the strongest result, so it is refused.
    """
    if n_orders < 1:
        raise ValueError(f"a permutation test needs at least one random order, got {n_orders}")
    # A number, not a one-element tensor, so that the share comes back a float.
    observed = float(observed)
    if not math.isfinite(observed):
        raise ValueError(f"the observed statistic is {observed}: a permutation test needs a finite one "
                         "(is a column constant?)")
    generator = torch.Generator().manual_seed(seed)
    reached = 0
    for _ in range(n_orders):
        value = float(statistic(torch.randperm(n, generator=generator)))
        if not math.isfinite(value):
            raise ValueError(f"the statistic of a random order is {value}: a permutation test needs finite "
                             "ones (is a column constant?)")
        reached += value >= observed
    return reached / n_orders
