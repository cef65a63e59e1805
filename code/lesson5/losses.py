"""Softmax, log-softmax and the cross-entropy losses, from scratch and numerically stable.

Introduced in book/03_cross_entropy.ipynb (Softmax and cross-entropy). Every loss here takes
`(preds, targets)`, so it works as a `Learner`'s `loss_func`, and is built from differentiable
tensor operations, so autograd gives its gradient.

The losses also check what they are given. A classification loss fed the wrong kind of
input (probabilities where logits belong, logits where log-probabilities belong, targets
outside their range) usually returns a number rather than failing: a negative loss, or one
that cannot fall below a floor. The checks turn those cases into an error or a
`LossInputWarning` that says what is wrong; `check=False` skips them.

Shapes and dtypes are checked for free. The checks on values of `nll` and `cross_entropy`
start from four numbers, the smallest and largest entry of the predictions and of the targets,
read back from the device together: one transfer per call. Most batches are settled by them;
only predictions that could be probabilities or log-probabilities cost more
(benchmarks/bench_losses.py). `binary_cross_entropy_with_logits` reads its two checks back in
one transfer too.
"""

import math
import warnings

import torch

REDUCTIONS = ("mean", "sum", "none")


class LossInputWarning(UserWarning):
    """The loss can be computed, but its input looks like the output of the wrong layer."""


def logsumexp(x, dim=-1, keepdim=False):
    """log(sum(exp(x))) along `dim`, computed without overflow.

    Subtracting the maximum m first keeps every exp(x - m) in (0, 1]; adding
    m back is exact because log(sum(exp(x))) = m + log(sum(exp(x - m))).
    """
    # m is subtracted and added back, so its gradient cancels: none needs to
    # flow through it.
    m = x.amax(dim=dim, keepdim=True).detach()
    # A row that is all -inf (or holds +inf) has no finite maximum to shift
    # by; shifting by 0 lets it give -inf (or inf / nan) as the unshifted
    # formula would.
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    out = m + torch.log(torch.exp(x - m).sum(dim=dim, keepdim=True))
    return out if keepdim else out.squeeze(dim)


def softmax(x, dim=-1):
    """exp(x) / sum(exp(x)) along `dim`; the maximum is subtracted first so
    exp cannot overflow."""
    # The shift cancels out of the result, so no gradient needs to flow
    # through the maximum.
    e = torch.exp(x - x.amax(dim=dim, keepdim=True).detach())
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x, dim=-1):
    """log(softmax(x)) as x - logsumexp(x): finite even where softmax(x)
    underflows to 0."""
    return x - logsumexp(x, dim=dim, keepdim=True)


def looks_like_probabilities(x, dim=-1, tol=None):
    """True when every entry is in [0, 1] and every slice along `dim` sums to 1 (a softmax output)."""
    if x.numel() == 0 or not x.is_floating_point():
        return False
    tol = _tolerance(x) if tol is None else tol
    with torch.no_grad():
        in_range = bool(((x >= 0) & (x <= 1)).all())
        return in_range and bool(((x.sum(dim=dim) - 1).abs() <= tol).all())


def looks_like_log_probabilities(x, dim=-1, tol=None):
    """True when every entry is <= 0 and exp of every slice along `dim` sums to 1 (a log_softmax output).

    Both up to `tol` (by default a rounding tolerance for x's dtype).
    """
    if x.numel() == 0 or not x.is_floating_point():
        return False
    tol = _tolerance(x) if tol is None else tol
    with torch.no_grad():
        return bool((x <= tol).all()) and bool((logsumexp(x, dim=dim).abs() <= tol).all())


def _tolerance(x):
    # Rounding in a float32 softmax leaves row sums about 1e-6 off 1; low-precision floats
    # (float16, bfloat16) need a tolerance scaled by their much larger epsilon.
    return max(1e-3, 10 * torch.finfo(x.dtype).eps)


def _value_flags(x, targets):
    """(a target out of range, any NaN, rows like probabilities, rows like log-probabilities).

    For x (N, C) with N > 0 and targets (N,). The common case costs two reductions and one
    read from the device: the smallest and largest entry of each tensor. Only when those
    allow it (every entry in [0, 1], or none above 0) are the row sums looked at.
    """
    with torch.no_grad():
        x_min, x_max = torch.aminmax(x)
        t_min, t_max = torch.aminmax(targets)
        x_min, x_max, t_min, t_max = torch.stack([x_min.double(), x_max.double(),
                                                  t_min.double(), t_max.double()]).tolist()
    has_nan = math.isnan(x_min)  # aminmax propagates NaN
    tol = _tolerance(x)
    return (t_min < 0 or t_max >= x.shape[1], has_nan,
            not has_nan and 0 <= x_min and x_max <= 1 and looks_like_probabilities(x, dim=1),
            not has_nan and x_max <= tol and looks_like_log_probabilities(x, dim=1))


def _guessable(x, has_nan):
    """Whether the probability / log-probability heuristics can say anything about x (N, C).

    With one class every row is both a valid probability (1) and log-probability (0); NaN
    means training has already diverged, and the loss should come out NaN, as PyTorch's
    does, rather than blame the wrong layer.
    """
    return x.shape[1] > 1 and not has_nan


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, not {reduction!r}")


def _reduce(losses, reduction):
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _check_class_inputs(name, preds, targets, what):
    """Shapes and dtypes shared by `nll` and `cross_entropy`: preds (N, C), targets (N,) of class indices.

    Reads only metadata, never the values: this costs nothing on any device.
    """
    if not isinstance(preds, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError(f"{name} takes two tensors (preds, targets), got "
                        f"{type(preds).__name__} and {type(targets).__name__}")
    if not preds.is_floating_point():
        raise TypeError(f"{name} expects floating-point {what}, got dtype {preds.dtype}")
    if preds.ndim != 2:
        raise ValueError(f"{name} expects {what} of shape (batch, classes), got shape {tuple(preds.shape)}")
    n, c = preds.shape
    if targets.is_floating_point() or targets.dtype == torch.bool or targets.is_complex():
        hint = ("they look like one-hot rows: pass targets.argmax(dim=1)" if targets.shape == preds.shape
                else "if they are class numbers stored as floats, pass targets.long()")
        raise TypeError(f"{name} expects targets holding integer class indices (torch.long), "
                        f"got dtype {targets.dtype}; {hint}")
    if targets.shape != (n,):
        if targets.shape == (n, 1):
            hint = "; pass targets.squeeze(1)"
        elif targets.shape == (n, c):
            hint = "; they look like one-hot rows: pass targets.argmax(dim=1)"
        else:
            hint = ""
        raise ValueError(f"{name} expects targets of shape (batch,) = ({n},) to match {what} of shape "
                         f"{tuple(preds.shape)}, got shape {tuple(targets.shape)}{hint}")


def _bad_targets(name, targets, c):
    bad = ((targets < 0) | (targets >= c)).nonzero()[0].item()
    return (f"{name}: targets must be class indices in [0, {c - 1}] for {c} classes, "
            f"got values from {targets.min().item()} to {targets.max().item()} "
            f"(first bad one: {targets[bad].item()} in row {bad}); "
            f"does the model's last layer have one output per class?")


def nll(log_probs, targets, reduction="mean", check=True):
    """Negative log-likelihood: -log_probs[i, targets[i]], averaged over the batch by default.

    `log_probs` must be log-probabilities (a log_softmax output), shape (N, C); `targets`
    integer class indices, shape (N,). Given anything else the result is not a loss:
    probabilities make it negative (down to -1), and raw logits can make it negative too,
    falling without bound as training pushes the target entry up. `check=True` refuses such
    inputs, and targets outside [0, C), with an error saying which they are; `check=False`
    reads no values.
    """
    _check_reduction(reduction)
    _check_class_inputs("nll", log_probs, targets, "log-probabilities")
    if check and log_probs.shape[0] > 0:
        bad_target, has_nan, _, log_probabilities = _value_flags(log_probs, targets)
        if bad_target:
            raise ValueError(_bad_targets("nll", targets, log_probs.shape[1]))
        if _guessable(log_probs, has_nan) and not log_probabilities:
            raise ValueError(_not_log_probabilities(log_probs))
    picked = log_probs.gather(1, targets.long().unsqueeze(1)).squeeze(1)
    return _reduce(-picked, reduction)


def _not_log_probabilities(x):
    if looks_like_probabilities(x, dim=1):
        return ("nll expects log-probabilities, but these look like probabilities (every entry in [0, 1], "
                "rows summing to 1), so the loss comes out negative. Take their log, or better, pass "
                "the logits (the output before softmax) to cross_entropy.")
    top = x.max().item()
    if top > _tolerance(x):
        return (f"nll expects log-probabilities (all <= 0), but the largest entry is {top:.4g}: "
                "these look like raw logits, and nll of logits can be negative and fall without "
                "bound. Pass them to cross_entropy, or apply log_softmax first.")
    sums = torch.exp(logsumexp(x.detach(), dim=1))
    return (f"nll expects log-probabilities whose exp sums to 1 along each row, but the row sums "
            f"range from {sums.min().item():.4g} to {sums.max().item():.4g}: apply log_softmax "
            "(not log of something else) to get them, or pass the logits to cross_entropy.")


def cross_entropy(logits, targets, reduction="mean", check=True):
    """Cross-entropy of raw logits against class indices: nll(log_softmax(logits), targets).

    `logits` shape (N, C), any real values (the model's last linear layer, no softmax after
    it); `targets` integer class indices, shape (N,). No exponential it takes can overflow, so
    the loss is finite wherever its value fits in the logits' dtype. With `check=True`,
    probabilities (a softmax output) are refused with an error, because the loss then stays
    above a floor and no longer says how right or how sure the model is (the chapter measures
    what they do to training); log-probabilities give the same loss as their logits would, so
    they only raise a LossInputWarning about the redundant layer. Targets outside [0, C) are
    refused. `check=False` reads no values: it skips these checks, the targets' range
    included, and keeps only those of shape and dtype.
    """
    _check_reduction(reduction)
    _check_class_inputs("cross_entropy", logits, targets, "logits")
    if check and logits.shape[0] > 0:
        bad_target, has_nan, probabilities, log_probabilities = _value_flags(logits, targets)
        if bad_target:
            raise ValueError(_bad_targets("cross_entropy", targets, logits.shape[1]))
        if _guessable(logits, has_nan) and probabilities:
            floor = _floor_on_probabilities(logits.shape[1])
            raise ValueError(
                "cross_entropy expects raw logits, but these look like probabilities (every entry in "
                "[0, 1], rows summing to 1): the model probably ends with a softmax. cross_entropy "
                f"applies its own softmax, so with {logits.shape[1]} classes the loss could never go "
                f"below {floor:.4f}. Remove the final softmax, or pass log(probs) to nll.")
        if _guessable(logits, has_nan) and log_probabilities:
            warnings.warn(
                "cross_entropy expects raw logits, but these look like log-probabilities (a "
                "log_softmax output). The loss is unchanged, since log_softmax of log-probabilities "
                "gives them back, but the model's final log_softmax is redundant: drop it, or use nll.",
                LossInputWarning, stacklevel=2)
    return nll(log_softmax(logits, dim=1), targets, reduction=reduction, check=False)


def _floor_on_probabilities(n_classes):
    # The best a softmax over probabilities can do: the target at 1 and the rest at 0 gives
    # softmax e / (e + C - 1) for the target.
    return float(torch.log1p(torch.tensor((n_classes - 1) / torch.e, dtype=torch.float64)))


def binary_cross_entropy_with_logits(logits, targets, reduction="mean", check=True):
    """Binary cross-entropy of logits z against targets y in [0, 1], element-wise.

    -[y log(sigmoid(z)) + (1 - y) log(1 - sigmoid(z))], computed as
    max(z, 0) - z y + log(1 + exp(-|z|)), which never takes the log of an underflowed 0.
    `targets` must be floats with exactly the shape of `logits` (a (N, 1) output against (N,)
    targets would otherwise broadcast to an (N, N) matrix). With `check=True`, targets outside
    [0, 1], which let the loss fall without bound, are refused with an error, and logits that
    all lie in [0, 1] (more than one of them) look like a sigmoid output and give a
    LossInputWarning; `check=False` reads no values.
    """
    _check_reduction(reduction)
    if not isinstance(logits, torch.Tensor) or not isinstance(targets, torch.Tensor):
        raise TypeError("binary_cross_entropy_with_logits takes two tensors (logits, targets), got "
                        f"{type(logits).__name__} and {type(targets).__name__}")
    if not logits.is_floating_point():
        raise TypeError(f"binary_cross_entropy_with_logits expects floating-point logits, got dtype {logits.dtype}")
    if targets.shape != logits.shape:
        raise ValueError(f"binary_cross_entropy_with_logits expects targets of the same shape as the logits "
                         f"{tuple(logits.shape)}, got {tuple(targets.shape)}; reshape one of them "
                         "(e.g. logits.squeeze(-1)) so they match element for element")
    if not targets.is_floating_point():
        raise TypeError("binary_cross_entropy_with_logits expects float targets in [0, 1], got dtype "
                        f"{targets.dtype}; pass targets.float()")
    # Both value checks in one read back from the device.
    targets_outside, like_probabilities = False, False
    if check and targets.numel():
        with torch.no_grad():
            targets_outside, like_probabilities = torch.stack([
                ((targets < 0) | (targets > 1)).any(),
                ((logits >= 0) & (logits <= 1)).all(),
            ]).tolist()
    if targets_outside:
        raise ValueError("binary_cross_entropy_with_logits expects targets in [0, 1] (1 = positive), got values "
                         f"from {targets.min().item():.4g} to {targets.max().item():.4g}; targets outside "
                         "[0, 1] let the loss fall without bound. Map labels such as -1/1 or 1/2 to 0/1 first.")
    # One value in [0, 1] is as likely a logit as a probability; a whole batch of them is not.
    if like_probabilities and logits.numel() > 1:
        warnings.warn(
            "binary_cross_entropy_with_logits expects raw logits, but every entry lies in [0, 1], as a "
            "sigmoid output would: if the model ends with a sigmoid, remove it, since this loss applies "
            "its own. If these really are logits, pass check=False.",
            LossInputWarning, stacklevel=2)
    losses = logits.clamp(min=0) - logits * targets + torch.log1p(torch.exp(-logits.abs()))
    return _reduce(losses, reduction)
