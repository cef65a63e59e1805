"""The learning-rate finder: train briefly while the learning rate grows exponentially.

Introduced in book/04_optimizers.ipynb (Accelerated SGD), after Leslie Smith's range test as
fastai v1's `lr_find` ran it: one mini-batch per learning rate, from `start_lr` to `end_lr`
over `num_it` batches, the loss smoothed by a bias-corrected moving average (beta 0.98),
stopping once the smoothed loss exceeds four times its best. The model's weights and the
optimizer's state are put back afterwards, so finding a learning rate trains nothing.

The smoothing lags. A value of the bias-corrected average is a weighted mean of the losses
so far in which a loss k batches old weighs in proportion to beta**k: on average the losses
it holds are up to beta / (1 - beta) batches old, 49 at beta 0.98 once the history is long
(about 34 by the end of a 100-batch sweep, about 20 after 50 batches). Its
minimum therefore sits later, at a higher learning rate, than the raw loss's, and the
"four times the best" stop compares two such lagging values. `LRFind` keeps the raw losses
too: `raw_min_loss` is the rate of the lowest raw loss, `smoothed(beta)` re-smooths them with
another beta, and `plot` draws both curves (book/04_optimizers.ipynb measures the lag).

Reading the curve: the loss stays flat while the rate is too small to matter, falls where
the rate is useful, and shoots up where it is too large. Pick a rate on the steep descent,
well before the minimum: `steepest` (where the smoothed loss falls fastest) or `min_loss / 10`
(an order of magnitude below the rate of lowest loss) are two common readings.
"""

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .averages import MovingAverage, ewma
from .learner import Callback, CancelEpoch, CancelFit, ProgressTable, Recorder
from .optim import is_count


@dataclass
class LRFind:
    """What `lr_find` measured: one entry per batch it trained."""

    lrs: list = field(default_factory=list)
    losses: list = field(default_factory=list)
    smooth_losses: list = field(default_factory=list)
    skip_start: int = 10
    skip_end: int = 5
    beta: float = 0.98

    def window(self):
        """The rates and smoothed losses that the plot shows and the readings use: all but the
        first `skip_start` and the last `skip_end` batches."""
        end = len(self.lrs) - self.skip_end
        if end - self.skip_start < 2:
            raise ValueError(
                f"only {len(self.lrs)} batches were recorded, too few to read a curve once "
                f"skip_start={self.skip_start} and skip_end={self.skip_end} are dropped; raise num_it"
            )
        return np.array(self.lrs[self.skip_start : end]), np.array(self.smooth_losses[self.skip_start : end])

    def smoothed(self, beta):
        """The raw losses smoothed as the finder does, bias-corrected, with another `beta`."""
        return ewma(self.losses, beta)

    @property
    def raw_min_loss(self):
        """The learning rate of the lowest raw loss (one batch's), in the same window as `min_loss`."""
        lrs, _ = self.window()
        raw = np.array(self.losses[self.skip_start : self.skip_start + len(lrs)])
        return float(lrs[raw.argmin()])

    @property
    def steepest(self):
        """The learning rate where the smoothed loss falls fastest per step of log(lr)."""
        lrs, losses = self.window()
        return float(lrs[np.gradient(losses).argmin()])

    @property
    def min_loss(self):
        """The learning rate of the lowest smoothed loss (where training is about to diverge)."""
        lrs, losses = self.window()
        return float(lrs[losses.argmin()])

    def plot(self, ax=None, suggest=True):
        """Raw and smoothed loss against learning rate on a log axis, the two readings marked."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3.5))[1]
        lrs, losses = self.window()
        ax.plot(lrs, self.losses[self.skip_start : self.skip_start + len(lrs)], color="lightgray",
                label=f"raw (lowest at {self.raw_min_loss:.1e})")
        ax.plot(lrs, losses, label=f"smoothed, beta {self.beta:g} (lowest at {self.min_loss:.1e})")
        ax.set(xscale="log", xlabel="learning rate (log scale)", ylabel="loss")
        if suggest:
            for lr, style, name in [(self.steepest, "o", "steepest"), (self.min_loss / 10, "s", "lr at lowest / 10")]:
                ax.plot(lr, np.interp(np.log(lr), np.log(lrs), losses), style, label=f"{name}: {lr:.1e}")
        ax.legend()
        return ax


class LRFinder(Callback):
    """Sets an exponentially growing learning rate per batch; stops at `num_it` or divergence:
    with `stop_div`, once the smoothed loss passes `DIVERGENCE` times its best (fastai's rule)."""

    order = -5
    DIVERGENCE = 4

    def __init__(self, start_lr=1e-7, end_lr=10, num_it=100, stop_div=True, beta=0.98):
        if not 0 < start_lr < end_lr:
            raise ValueError(f"need 0 < start_lr < end_lr, got start_lr={start_lr}, end_lr={end_lr}")
        if not is_count(num_it):
            raise ValueError(f"num_it is the number of batches to try, a whole number, 1 or more, got {num_it!r}")
        self.start_lr, self.end_lr, self.num_it = start_lr, end_lr, num_it
        self.stop_div, self.beta = stop_div, beta
        # Made here so that a bad beta is refused before any training; each fit starts afresh.
        self.smooth = MovingAverage(beta)
        self.result = LRFind(beta=beta)

    def before_fit(self, learn):
        self.step, self.smooth, self.best = 0, MovingAverage(self.beta), math.inf
        # A finder used for a second sweep records that sweep alone.
        self.result.lrs, self.result.losses, self.result.smooth_losses = [], [], []

    def before_batch(self, learn):
        if not learn.training:
            raise CancelEpoch  # no validation pass: the finder only looks at training loss
        for group in learn.opt.param_groups:
            group["lr"] = self._rate()

    def _rate(self):
        # The step counts finished batches, so a cancelled batch's rate is tried again.
        return self.start_lr * (self.end_lr / self.start_lr) ** (self.step / self.num_it)

    def after_batch(self, learn):
        loss = learn.loss.item()
        # Recorded here with its loss: a batch another callback cancels records neither.
        self.result.lrs.append(self._rate())
        self.step += 1
        smooth = self.smooth(loss)
        self.result.losses.append(loss)
        self.result.smooth_losses.append(smooth)
        self.best = min(self.best, smooth)
        diverged = self.stop_div and (smooth > self.DIVERGENCE * self.best or math.isnan(smooth))
        if self.step >= self.num_it or diverged:
            raise CancelFit


def lr_find(learn, start_lr=1e-7, end_lr=10, num_it=100, stop_div=True, skip_start=10, skip_end=5):
    """Runs the range test on `learn` and returns an `LRFind` (lrs, losses, readings, plot).

    The weights, the optimizer (state and hyper-parameters) and the learner's recorder are
    exactly as they were before the call; only the random number generators have moved on.
    """
    # Made first, so that its checks of the settings come before anything else.
    finder = LRFinder(start_lr, end_lr, num_it, stop_div)
    if len(learn.dls.train) == 0:
        raise ValueError("the learner's training loader gives no batches (fewer items than its batch size, "
                         "with drop_last?): the range test needs batches to train on")
    had_opt = learn.opt is not None
    if not had_opt:
        learn.create_opt()
    weights = copy.deepcopy(learn.model.state_dict())
    opt_state = copy.deepcopy(learn.opt.state_dict())
    saved_cbs, saved_recorder = learn.cbs, learn.recorder
    finder.result.skip_start, finder.result.skip_end = skip_start, skip_end
    # A private recorder and no table: the sweep is not part of the training history.
    learn.recorder = Recorder()
    learn.cbs = [learn.recorder, *(cb for cb in learn.cbs if not isinstance(cb, (Recorder, ProgressTable)))]
    try:
        learn.fit(math.ceil(num_it / len(learn.dls.train)), cbs=[finder])
    finally:
        learn.cbs, learn.recorder = saved_cbs, saved_recorder
        with torch.no_grad():
            learn.model.load_state_dict(weights)
        if had_opt:
            learn.opt.load_state_dict(opt_state)
        else:
            learn.opt = None
    return finder.result
