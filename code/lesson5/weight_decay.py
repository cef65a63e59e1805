"""Weight decay as a training-loop callback, in its two forms: decoupled and L2.

Introduced in book/05_weight_decay.ipynb (Regularization with weight decay).

Both forms pull every decayed weight towards zero at each step; they differ in where the pull
enters the update. With learning rate `lr` and gradient `g` of the data loss:

* ``mode="l2"`` adds ``wd * w`` to the gradient before the optimizer sees it. That is the
  gradient of the penalty ``(wd / 2) * sum(w**2)`` in the loss, so a loss written as
  ``loss + lam * sum(w**2)`` corresponds to ``wd = 2 * lam``. This is what the ``weight_decay``
  argument of ``torch.optim.SGD`` and ``torch.optim.Adam`` does.
* ``mode="decoupled"`` multiplies each decayed weight by ``1 - lr * wd`` and then lets the
  optimizer step with the unchanged gradient. This is ``torch.optim.AdamW``'s rule and
  fastai's. It is not quite the rule of the paper that introduced decoupled decay
  (Loshchilov & Hutter, 2019): there the shrink factor is ``1 - eta * lam``, with ``eta`` the
  schedule multiplier (what a schedule multiplies the base learning rate ``alpha`` by) and not
  the learning rate ``alpha * eta``. Here, as in torch and fastai, the base rate multiplies the
  decay too, so ``wd`` is the paper's ``lam / alpha``: changing the learning rate changes the
  decay, and what carries over between settings is the product ``lr * wd``.

For plain SGD the two give the same update, ``w - lr * (g + wd * w)``. For any optimizer
that rescales or accumulates the gradient (momentum, Adam) they do not: in L2 mode the
decay term is averaged into momentum and divided by Adam's per-weight scale, in decoupled
mode it is not.

By default only weights (tensors with two or more dimensions) are decayed; biases and the
scale and shift of normalization layers (one-dimensional) are not, see `decay_split`.
"""

import torch

from .learner import Callback

MODES = ("decoupled", "l2")


def decay_split(model):
    """(decayed, not_decayed): the model's weight matrices and kernels, then everything else.

    A parameter is decayed when it has two or more dimensions (linear and convolution
    weights, embeddings). Biases and normalization parameters are one-dimensional: they
    set offsets and scales rather than feature detectors, and shrinking them towards zero
    only gets in the way.
    """
    decayed, not_decayed = [], []
    for p in model.parameters():
        (decayed if p.ndim >= 2 else not_decayed).append(p)
    return decayed, not_decayed


def l2_penalty(params):
    """sum(w**2) over `params`: the term that L2 regularization adds (times lambda) to the loss."""
    return sum((p**2).sum() for p in params)


class WeightDecay(Callback):
    """Applies weight decay `wd` right before each optimizer step.

    `mode` is "decoupled" (shrink the weight by ``1 - lr * wd``, lr of its parameter group)
    or "l2" (add ``wd * w`` to its gradient); see this module's docstring for how they
    compare. `decay_all=True` decays biases and normalization parameters too. Parameters
    without a gradient (frozen) are left untouched.
    """

    # After callbacks that edit gradients or learning rates in before_step, so the decay
    # uses the learning rate of the step about to be taken.
    order = 5

    def __init__(self, wd, mode="decoupled", decay_all=False):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        # Written so that NaN, which fails every comparison, is refused too.
        if not wd >= 0:
            raise ValueError(f"wd must be >= 0 (0 turns weight decay off), got {wd}")
        self.wd, self.mode, self.decay_all = wd, mode, decay_all

    def before_fit(self, learn):
        params = learn.model.parameters() if self.decay_all else decay_split(learn.model)[0]
        self._decayed = {id(p) for p in params}

    @torch.no_grad()
    def before_step(self, learn):
        if self.wd == 0:
            return
        for group in learn.opt.param_groups:
            for p in group["params"]:
                if p.grad is None or id(p) not in self._decayed:
                    continue
                if self.mode == "decoupled":
                    p.mul_(1 - group["lr"] * self.wd)
                else:
                    p.grad.add_(p, alpha=self.wd)
