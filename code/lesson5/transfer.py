"""Layer groups, freezing and discriminative learning rates, the way fastai v1 did them.

Introduced in book/07_transfer.ipynb (Transfer learning). A model is cut into layer groups,
earliest layers first and the head last. Freezing turns off the gradients of every group but
the last ones; `lr_range` turns a learning rate given as a number or a `slice` into one rate
per group; `param_groups` hands both to any torch-style optimizer (`learn.create_opt(...)`).

What freezing saves is counted at the end of the module: `count_params`, and the bytes that
training holds beyond the weights, `grad_bytes`, `optimizer_state_bytes` and
`saved_activation_bytes` (the tensors autograd keeps for the backward pass).
"""

import numbers

import torch
from torch import nn

from .optim import check_hyper

BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def cnn_groups(model, cut=2):
    """Three layer groups of an `nn.Sequential(body, head)`: body[:cut], body[cut:], head.

    fastai v1 split its pretrained CNNs the same way: the body in two parts plus the new head.
    The groups share their modules with `model`; nothing is copied.
    """
    if len(model) != 2:
        raise ValueError("expected nn.Sequential(body, head), as lesson5.cnn.create_model builds")
    body, head = model
    if not 0 < cut < len(body):
        raise ValueError(f"cut must be between 1 and {len(body) - 1} for a body of {len(body)} blocks")
    return [body[:cut], body[cut:], head]


def freeze_to(groups, n, train_bn=True):
    """Freezes `groups[:n]` and makes `groups[n:]` trainable, counting `n` like a slice.

    `n` is an int from -len(groups) to len(groups): with three groups, `freeze_to(groups, -1)`
    (fastai's `freeze_to(-1)`, what `freeze` does) and `freeze_to(groups, 2)` both freeze all
    but the last group, 0 or -3 freeze none (`unfreeze`), and 3 freezes all. A slice would
    quietly clamp any other value to one of those ends, so it raises a ValueError instead.

    With `train_bn` (fastai v1's default) the batch-norm layers of frozen groups stay
    trainable: their scales and shifts are few. Re-centring on the new data is another matter:
    a batch norm in training mode updates its running statistics whatever `requires_grad`
    says (book/07_transfer.ipynb).
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not -len(groups) <= n <= len(groups):
        raise ValueError(f"n must be an int from {-len(groups)} to {len(groups)} for {len(groups)} layer "
                         f"groups (negative counts from the end: -1 freezes all but the last), got {n}")
    for group in groups[:n]:
        for module in group.modules():
            trainable = train_bn and isinstance(module, BN_TYPES)
            for p in module.parameters(recurse=False):
                p.requires_grad_(trainable)
    for group in groups[n:]:
        for p in group.parameters():
            p.requires_grad_(True)


def freeze(groups, train_bn=True):
    """Freezes every group but the last (the head)."""
    if len(groups) < 2:
        raise ValueError("freezing needs at least two layer groups: the last one stays trainable")
    freeze_to(groups, -1, train_bn)


def unfreeze(groups):
    """Makes every parameter of every group trainable again."""
    freeze_to(groups, 0)


def even_mults(start, stop, n):
    """`n` rates from `start` to `stop`, each the previous one times the same factor."""
    if n < 2:
        raise ValueError("a slice with two ends needs at least two layer groups")
    step = (stop / start) ** (1 / (n - 1))
    return [start * step**i for i in range(n)]


def lr_range(lr, n_groups, divisor=10):
    """One learning rate per layer group, from what fastai v1's `fit` accepted as `lr`.

    - a number: every group gets it;
    - `slice(hi)`: the last group gets `hi`, all the others `hi / divisor`;
    - `slice(lo, hi)`: rates spaced evenly on a log scale from `lo` (first group) to `hi` (last);
      `slice(0, hi)` and `slice(None, hi)` are `slice(hi)`, as in fastai v1;
    - a sequence (or NumPy array, or tensor) of `n_groups` numbers: used as given.

    fastai v1 divided by 3 in the releases the lesson was recorded with and by 10 from later
    1.0.x releases on; `divisor` picks one (default 10, the final v1 behaviour).
    """
    if isinstance(lr, slice):
        if lr.stop is None or lr.step is not None:
            raise ValueError("use slice(hi) or slice(lo, hi) with learning rates, not " + repr(lr))
        if lr.start:
            # Spaced on a log scale, the rates need both ends positive; and the body learns
            # more slowly than the head, not faster.
            if not 0 < lr.start <= lr.stop:
                raise ValueError(f"slice(lo, hi) needs 0 < lo <= hi, the first group's rate first, got {lr!r}")
            return even_mults(lr.start, lr.stop, n_groups)
        check_hyper("lr", lr.stop)
        return [lr.stop / divisor] * (n_groups - 1) + [lr.stop]
    # One number: a float, or a NumPy or tensor scalar (a 0-d array or tensor).
    if isinstance(lr, numbers.Real) or getattr(lr, "ndim", None) == 0:
        check_hyper("lr", lr)
        return [float(lr)] * n_groups
    # Anything else is one rate per group: a list or a tuple, a NumPy array (not a Sequence) too.
    rates = [float(v) for v in lr]
    if len(rates) != n_groups:
        raise ValueError(f"{len(rates)} learning rates given for {n_groups} layer groups")
    for value in rates:
        check_hyper("each lr", value)
    return rates


def param_groups(groups, lr, divisor=10, **hyper):
    """Optimizer parameter groups: the trainable parameters of each layer group and its rate.

    `lr` is anything `lr_range` accepts; extra keywords (e.g. `weight_decay`) go into every
    group. Like fastai v1, only trainable parameters are listed, so build a new optimizer
    after unfreezing. Use as `learn.create_opt(param_groups(groups, slice(1e-4, 1e-3)))`.
    """
    lrs = lr_range(lr, len(groups), divisor)
    return [{"params": [p for p in g.parameters() if p.requires_grad], "lr": rate, **hyper}
            for g, rate in zip(groups, lrs)]


def count_params(module):
    """(trainable, total) number of parameter values in `module`."""
    params = list(module.parameters())
    return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)


def grad_bytes(module):
    """Bytes held by the `.grad` tensors of `module` (frozen parameters hold none)."""
    return sum(p.grad.numel() * p.grad.element_size() for p in module.parameters() if p.grad is not None)


def optimizer_state_bytes(opt):
    """Bytes of the tensors an optimizer keeps between steps (Adam: two running averages per
    trained parameter, and a step count); frozen parameters, which never reach a step, have none."""
    return sum(
        value.numel() * value.element_size()
        for state in opt.state.values()
        for value in state.values()
        if torch.is_tensor(value)
    )


def saved_activation_bytes(model, x):
    """Bytes of the tensors autograd keeps from `model(x)` for the backward pass, the model's
    parameters and buffers (a batch norm's running averages) excluded.

    These are the activations saved for backward: they live from the forward pass until the
    backward pass frees them, and with the gradients and the optimizer's state they make up
    what training needs beyond inference. A layer whose output needs no gradient saves nothing.
    Each storage counts once, and only the bytes the saved tensors span in it: a batch sliced
    from a dataset in memory counts as the batch, not as the dataset behind it. (A strided view
    counts the whole stretch it spans, the skipped elements too.)

    The forward pass runs in the model's own mode, as training would; afterwards the model's
    buffers are put back as they were, so measuring does not move a batch norm's running
    averages.
    """
    owned = {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}
    spans = {}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in owned and t.numel():
            start = t.storage_offset() * t.element_size()
            extent = 1 + sum((n - 1) * s for n, s in zip(t.shape, t.stride()))
            spans.setdefault(ptr, []).append((start, start + extent * t.element_size()))
        return t

    # On the model's device, as training would run it.
    param = next(model.parameters(), None)
    if param is not None:
        x = x.to(param.device)
    buffers = [b.clone() for b in model.buffers()]
    try:
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            model(x)
    finally:
        with torch.no_grad():
            for b, before in zip(model.buffers(), buffers):
                b.copy_(before)
    return sum(_covered(intervals) for intervals in spans.values())


def _covered(intervals):
    """Bytes covered by the union of (start, end) intervals."""
    total, reached = 0, None
    for start, end in sorted(intervals):
        if reached is None or start >= reached:
            total, reached = total + end - start, end
        elif end > reached:
            total, reached = total + end - reached, end
    return total
