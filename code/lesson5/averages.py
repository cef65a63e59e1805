"""Exponentially weighted moving averages, raw or bias-corrected.

Taught in book/04_optimizers.ipynb (Exponentially weighted moving averages and bias
correction), which plots both forms; the learning-rate finder (`lesson5.lr_finder`) smooths
its losses with the corrected one, and 04 smooths its training curves with it.
"""


class MovingAverage:
    """Fed one value at a time, returns the average so far:
    m = beta m + (1 - beta) x, from m = 0. With `debias`, divided by
    1 - beta**t, the weights' sum after t values, so that the first averages
    are not pulled towards the zero it started from."""

    def __init__(self, beta, debias=True):
        if not 0 <= beta < 1:
            raise ValueError(f"beta must be in [0, 1), got {beta}")
        self.beta, self.debias, self.avg, self.count = beta, debias, 0.0, 0

    def __call__(self, x):
        self.count += 1
        self.avg = self.beta * self.avg + (1 - self.beta) * x
        return self.avg / (1 - self.beta**self.count) if self.debias else self.avg


def ewma(values, beta, debias=True):
    """The moving average after each of `values` (numbers, or a 1-D tensor), as a list of floats."""
    average = MovingAverage(beta, debias)
    return [average(float(x)) for x in values]
