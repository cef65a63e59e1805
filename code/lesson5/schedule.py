"""The 1cycle schedule: learning rate up then down, momentum down then up, every batch.

Introduced in book/04_optimizers.ipynb (Accelerated SGD). The defaults are those of fastai
v1's `fit_one_cycle` from release 1.0.29 on: the learning rate rises from lr_max/25 to lr_max
over the first 30% of the batches and falls to lr_max/(25·10⁴) over the rest, both along
half a cosine, while momentum moves from 0.95 to 0.85 and back. Up to 1.0.28, the releases current when
the lesson was recorded, fastai warmed up along a straight line (`warmup="linear"`) and
annealed along the cosine; Smith's own 1cycle is linear in both phases.
"""

import math
import numbers

from .learner import Callback
from .optim import check_hyper


def cos_anneal(start, end, pct):
    """Half a cosine from `start` (pct = 0) to `end` (pct = 1)."""
    return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)


def linear(start, end, pct):
    """A straight line from `start` (pct = 0) to `end` (pct = 1)."""
    return start + (end - start) * pct


#: The shapes the warm-up may take: fastai from 1.0.29 ("cos"), fastai up to 1.0.28 ("linear").
WARMUPS = {"cos": cos_anneal, "linear": linear}


def _check_cycle(pct_start, warmup, div, div_final):
    """The checks `one_cycle` and `OneCycle` share, so that `OneCycle` refuses bad settings when
    it is made rather than when its fit starts."""
    # div_final alone may be None (then div · 1e4); NaN fails the comparison, so it is refused too.
    given = {"div": div} if div_final is None else {"div": div, "div_final": div_final}
    for name, value in given.items():
        if not (isinstance(value, numbers.Real) and value > 0):
            raise ValueError(f"{name} divides lr_max, so it must be > 0, got {value}")
    if not 0 <= pct_start < 1:
        raise ValueError(f"pct_start is the fraction of steps spent warming up, in [0, 1); got {pct_start}")
    if warmup not in WARMUPS:
        raise ValueError(f"warmup must be one of {sorted(WARMUPS)}, got {warmup!r}")


def one_cycle(n_steps, lr_max, pct_start=0.3, div=25.0, div_final=None, moms=(0.95, 0.85), warmup="cos"):
    """(learning rates, momentums) for each of `n_steps` batches, for one `lr_max` (a float).

    `warmup` ("cos" or "linear") shapes the rise of the learning rate and the matching fall of
    momentum; the annealing is always half a cosine. `pct_start=0` anneals from the first batch
    (no warm-up); `div_final=1` keeps lr_max after the warm-up (no annealing).

    Batch i of the warm-up uses pct = i / n_up, batch j of the annealing pct = j / n_down, so
    the first batch starts at lr_max/div and the last stops one step short of the final value,
    as fastai v1's stepper did.
    """
    if n_steps < 1:
        raise ValueError(f"one_cycle needs at least one step, got {n_steps}")
    _check_cycle(pct_start, warmup, div, div_final)
    rise = WARMUPS[warmup]
    div_final = div * 1e4 if div_final is None else div_final
    n_up = int(n_steps * pct_start)
    n_down = n_steps - n_up
    lrs, momentums = [], []
    for i in range(n_steps):
        if i < n_up:
            pct = i / n_up
            lrs.append(rise(lr_max / div, lr_max, pct))
            momentums.append(rise(moms[0], moms[1], pct))
        else:
            pct = (i - n_up) / n_down
            lrs.append(cos_anneal(lr_max, lr_max / div_final, pct))
            momentums.append(cos_anneal(moms[1], moms[0], pct))
    return lrs, momentums


def set_momentum(group, momentum):
    """Momentum of one param group: beta1 for Adam-like optimizers, `momentum` for the others."""
    if "betas" in group:
        group["betas"] = (momentum, *tuple(group["betas"])[1:])
    elif "momentum" in group:
        group["momentum"] = momentum


class OneCycle(Callback):
    """Sets lr and momentum of every param group before each training batch, on a 1cycle.

    `lr_max` is one float, or one maximum per param group (discriminative learning rates).
    `moms=None` leaves momentum alone. Use: `learn.fit(n, cbs=[OneCycle(1e-2)])`.
    The cycle spans the whole fit: n_epochs · len(learn.dls.train) batches.
    """

    order = -5

    def __init__(self, lr_max, pct_start=0.3, div=25.0, div_final=None, moms=(0.95, 0.85), warmup="cos"):
        _check_cycle(pct_start, warmup, div, div_final)
        if isinstance(lr_max, numbers.Real):
            check_hyper("lr_max", lr_max)
        elif isinstance(lr_max, slice):
            raise TypeError("OneCycle takes a float or one lr_max per group; "
                            "lesson5.transfer.lr_range turns a slice into such a list")
        else:
            # Kept as a list: a generator checked here would be empty when the fit reads it.
            lr_max = list(lr_max)
            for value in lr_max:
                check_hyper("each lr_max", value)
        self.lr_max, self.pct_start, self.div, self.div_final, self.moms = lr_max, pct_start, div, div_final, moms
        self.warmup = warmup

    def before_fit(self, learn):
        groups = learn.opt.param_groups
        if isinstance(self.lr_max, numbers.Real):
            lr_maxes = [float(self.lr_max)] * len(groups)
        else:
            lr_maxes = [float(v) for v in self.lr_max]
        if len(lr_maxes) != len(groups):
            raise ValueError(
                f"lr_max has {len(lr_maxes)} values but the optimizer has {len(groups)} param groups; "
                "pass one float, or one value per group"
            )
        n_steps = learn.n_epochs * len(learn.dls.train)
        moms = self.moms or (0.0, 0.0)
        self.schedules = [
            one_cycle(n_steps, lr, self.pct_start, self.div, self.div_final, moms, self.warmup) for lr in lr_maxes
        ]
        self.step = 0

    def before_batch(self, learn):
        if not learn.training:
            return
        for group, (lrs, momentums) in zip(learn.opt.param_groups, self.schedules):
            group["lr"] = lrs[self.step]
            if self.moms is not None:
                set_momentum(group, momentums[self.step])
        self.step += 1
