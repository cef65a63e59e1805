"""lesson5.losses against PyTorch's own implementations, on random and extreme inputs.

Hypothesis draws logits up to 1e4 in size, where a naive exp overflows; the functions must
match torch.nn.functional there too, and their input checks must name what is wrong.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lesson5.learner import Learner
from lesson5.loaders import DataLoaders
from lesson5.losses import (
    LossInputWarning,
    binary_cross_entropy_with_logits,
    cross_entropy,
    log_softmax,
    logsumexp,
    looks_like_log_probabilities,
    looks_like_probabilities,
    nll,
    softmax,
)

SETTINGS = settings(max_examples=100, deadline=None)


def _values(max_magnitude):
    return st.floats(-max_magnitude, max_magnitude, allow_nan=False, width=64)


@st.composite
def logits_and_targets(draw, max_magnitude=1e4, dtype=np.float64):
    n = draw(st.integers(1, 8))
    c = draw(st.integers(2, 12))
    x = draw(arrays(dtype, (n, c), elements=_values(max_magnitude)))
    y = draw(arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    return torch.from_numpy(x), torch.from_numpy(y)


def _plain_logits(x):
    """Random logits that happen to look like a softmax or log_softmax output would trip the checks."""
    return not looks_like_probabilities(x, dim=1) and not looks_like_log_probabilities(x, dim=1)


@SETTINGS
@given(logits_and_targets())
def test_softmax_and_log_softmax_match_torch(xy):
    x, _ = xy
    torch.testing.assert_close(softmax(x, dim=1), F.softmax(x, dim=1))
    torch.testing.assert_close(log_softmax(x, dim=1), F.log_softmax(x, dim=1))
    torch.testing.assert_close(logsumexp(x, dim=1), torch.logsumexp(x, dim=1))


@SETTINGS
@given(logits_and_targets(), st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_and_nll_match_torch(xy, reduction):
    x, y = xy
    assume(_plain_logits(x))
    expected = F.cross_entropy(x, y, reduction=reduction)
    torch.testing.assert_close(cross_entropy(x, y, reduction=reduction), expected)
    torch.testing.assert_close(nll(F.log_softmax(x, dim=1), y, reduction=reduction), expected)


@SETTINGS
@given(logits_and_targets(dtype=np.float32))
def test_float32_extreme_logits_stay_finite_and_match(xy):
    x, y = xy
    assume(_plain_logits(x))
    loss = cross_entropy(x, y, reduction="none")
    assert torch.isfinite(loss).all()
    torch.testing.assert_close(loss, F.cross_entropy(x, y, reduction="none"), rtol=1e-5, atol=1e-2)


@SETTINGS
@given(st.integers(1, 20).flatmap(lambda n: st.tuples(
    arrays(np.float64, (n,), elements=_values(1e4)),
    arrays(np.float64, (n,), elements=st.floats(0, 1)))))
def test_binary_cross_entropy_matches_torch(zy):
    z, y = (torch.from_numpy(a) for a in zy)
    for reduction in ("none", "mean", "sum"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LossInputWarning)
            loss = binary_cross_entropy_with_logits(z, y, reduction=reduction)
        torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(z, y, reduction=reduction))


@SETTINGS
@given(logits_and_targets(max_magnitude=50))
def test_gradient_matches_torch(xy):
    x, y = xy
    assume(_plain_logits(x))
    mine = x.clone().requires_grad_()
    cross_entropy(mine, y).backward()
    theirs = x.clone().requires_grad_()
    F.cross_entropy(theirs, y).backward()
    torch.testing.assert_close(mine.grad, theirs.grad)


def test_gradient_is_softmax_minus_one_hot_over_batch():
    x = torch.randn(6, 4, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 3, 1])
    cross_entropy(x, y).backward()
    expected = (F.softmax(x, dim=1) - F.one_hot(y, 4)) / len(y)
    torch.testing.assert_close(x.grad, expected.detach())


def test_gradcheck():
    x = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 2, 1, 1, 0])
    assert torch.autograd.gradcheck(lambda t: cross_entropy(t, y), (x,))
    z = torch.randn(7, dtype=torch.float64, requires_grad=True)
    t = torch.rand(7, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda a: binary_cross_entropy_with_logits(a, t, check=False), (z,))


def test_softmax_is_shift_invariant_even_for_huge_shifts():
    x = torch.tensor([[1.0, 2.0, 3.0]])
    torch.testing.assert_close(softmax(x + 1e4), softmax(x))


def test_softmax_and_log_softmax_default_to_the_last_dimension_as_torch_does():
    # Rows of a batch are the examples: each row's probabilities sum to 1.
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(softmax(x), F.softmax(x, dim=-1))
    torch.testing.assert_close(log_softmax(x), F.log_softmax(x, dim=-1))


def test_all_minus_inf_row_gives_minus_inf_like_torch():
    x = torch.full((1, 3), -torch.inf)
    assert logsumexp(x).item() == -torch.inf == torch.logsumexp(x, dim=-1).item()


def test_rows_holding_inf_or_nan_give_what_torch_gives():
    inf, nan = torch.inf, torch.nan
    x = torch.tensor([[inf, 0.0], [inf, inf], [inf, -inf], [nan, 0.0], [1.0, 2.0]])
    torch.testing.assert_close(logsumexp(x), torch.logsumexp(x, dim=-1), equal_nan=True)


def test_works_as_learner_loss_func():
    torch.manual_seed(0)
    x = torch.randn(64, 5)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    dls = DataLoaders.from_tensors(x, y, x, y, bs=16)
    learn = Learner(torch.nn.Linear(5, 3), dls, cross_entropy, lr=0.5, opt_func=torch.optim.SGD, device="cpu")
    learn.fit(3)
    table = learn.recorder.table
    assert table.train_loss.iloc[-1] < table.train_loss.iloc[0]


# --- the input checks -----------------------------------------------------------------------

X = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.3, -2.0]])
Y = torch.tensor([0, 2])


@pytest.mark.parametrize("targets, error, match", [
    (torch.tensor([0.0, 2.0]), TypeError, r"integer class indices.*targets\.long\(\)"),
    (torch.tensor([True, False]), TypeError, "integer class indices"),
    (F.one_hot(Y, 3).float(), TypeError, r"one-hot rows: pass targets\.argmax\(dim=1\)"),
    (Y.unsqueeze(1), ValueError, r"shape \(batch,\) = \(2,\).*targets\.squeeze\(1\)"),
    (F.one_hot(Y, 3), ValueError, r"one-hot rows: pass targets\.argmax"),
    (torch.tensor([0, 1, 2]), ValueError, r"shape \(batch,\)"),
    (torch.tensor([0, 3]), ValueError, r"in \[0, 2\] for 3 classes.*first bad one: 3 in row 1"),
    (torch.tensor([-1, 0]), ValueError, r"first bad one: -1 in row 0"),
    (torch.tensor([5, -1]), ValueError, r"first bad one: 5 in row 0"),
])
def test_bad_targets_are_refused_with_a_hint(targets, error, match):
    with pytest.raises(error, match=match):
        cross_entropy(X, targets)
    with pytest.raises(error, match=match):
        nll(F.log_softmax(X, dim=1), targets)


def test_low_precision_probabilities_are_still_recognised():
    # bfloat16 rounds a softmax's row sums far more than float32: the check's tolerance
    # follows the dtype.
    torch.manual_seed(0)
    probs = F.softmax(torch.randn(64, 10), dim=1).bfloat16()
    with pytest.raises(ValueError, match="look like probabilities"):
        cross_entropy(probs, torch.randint(0, 10, (64,)))


def test_bad_shapes_dtypes_and_reduction():
    with pytest.raises(ValueError, match=r"shape \(batch, classes\), got shape \(3,\)"):
        cross_entropy(X[0], Y[:1])
    with pytest.raises(TypeError, match="floating-point logits"):
        cross_entropy(X.long(), Y)
    with pytest.raises(TypeError, match="two tensors"):
        cross_entropy(X.tolist(), Y)
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy(X, Y, reduction="average")


def test_nll_refuses_logits_that_would_give_negative_loss():
    y = torch.tensor([0, 1])
    assert F.nll_loss(X, y) < 0
    with pytest.raises(ValueError, match="look like raw logits"):
        nll(X, y)


def test_nll_refuses_probabilities_that_would_give_negative_loss():
    probs = F.softmax(X, dim=1)
    assert F.nll_loss(probs, Y) < 0
    with pytest.raises(ValueError, match="look like probabilities"):
        nll(probs, Y)


def test_nll_refuses_unnormalized_log_values():
    with pytest.raises(ValueError, match="row sums range"):
        nll(torch.log(torch.full((2, 3), 0.5)), Y)


def test_cross_entropy_refuses_probabilities_and_names_the_floor():
    probs = F.softmax(X * 100, dim=1)
    best = F.cross_entropy(F.one_hot(Y, 3).float(), Y).item()
    with pytest.raises(ValueError, match=f"never go below {best:.4f}"):
        cross_entropy(probs, Y)


def test_cross_entropy_warns_on_log_probabilities_but_gives_the_same_loss():
    with pytest.warns(LossInputWarning, match="log_softmax is redundant"):
        loss = cross_entropy(F.log_softmax(X, dim=1), Y)
    torch.testing.assert_close(loss, cross_entropy(X, Y))


def test_nan_and_empty_inputs_propagate_like_torch():
    nan_logits = torch.full((2, 3), torch.nan)
    assert torch.isnan(cross_entropy(nan_logits, Y)) and torch.isnan(nll(nan_logits, Y))
    empty = torch.empty(0, 3)
    no_targets = torch.empty(0, dtype=torch.long)
    assert torch.isnan(cross_entropy(empty, no_targets)) and torch.isnan(F.cross_entropy(empty, no_targets))
    assert torch.isnan(nll(empty, no_targets))


def test_check_false_skips_the_heuristics():
    probs = F.softmax(X, dim=1)
    torch.testing.assert_close(cross_entropy(probs, Y, check=False), F.cross_entropy(probs, Y))
    torch.testing.assert_close(nll(probs, Y, check=False), F.nll_loss(probs, Y))


def test_normal_logits_raise_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cross_entropy(X, Y)
        binary_cross_entropy_with_logits(torch.tensor([-3.0, 2.0]), torch.tensor([0.0, 1.0]))


def test_binary_checks():
    z = torch.tensor([1.5, -0.5, 3.0])
    with pytest.raises(ValueError, match=r"same shape as the logits \(3, 1\)"):
        binary_cross_entropy_with_logits(z.unsqueeze(1), torch.tensor([1.0, 0.0, 1.0]))
    with pytest.raises(TypeError, match=r"targets\.float\(\)"):
        binary_cross_entropy_with_logits(z, torch.tensor([1, 0, 1]))
    negative = F.binary_cross_entropy_with_logits(z, torch.tensor([2.0, 0.0, 2.0]))
    assert negative < 0
    # Without bound: a target of 2 rewards an ever larger logit, about -z for large z.
    assert F.binary_cross_entropy_with_logits(torch.tensor([100.0]), torch.tensor([2.0])) < -99
    with pytest.raises(ValueError, match=r"let the loss fall without bound"):
        binary_cross_entropy_with_logits(z, torch.tensor([2.0, 0.0, 2.0]))
    with pytest.warns(LossInputWarning, match="sigmoid output"):
        binary_cross_entropy_with_logits(torch.sigmoid(z), torch.tensor([1.0, 0.0, 1.0]))


def test_two_class_softmax_equals_sigmoid():
    z = torch.randn(10, dtype=torch.float64)
    y = torch.randint(0, 2, (10,))
    two = torch.stack([torch.zeros_like(z), z], dim=1)
    torch.testing.assert_close(softmax(two, dim=1)[:, 1], torch.sigmoid(z))
    torch.testing.assert_close(cross_entropy(two, y), binary_cross_entropy_with_logits(z, y.double()))


def test_ordinary_logits_are_settled_by_their_range_alone(monkeypatch):
    """The row-sum heuristics are for inputs that could be (log-)probabilities: logits spread
    over both signs and beyond 1 never reach them, which keeps the checked path cheap."""
    from lesson5 import losses

    def not_needed(*args, **kwargs):
        raise AssertionError("row sums computed for ordinary logits")

    monkeypatch.setattr(losses, "looks_like_probabilities", not_needed)
    monkeypatch.setattr(losses, "looks_like_log_probabilities", not_needed)
    mixed_signs = torch.tensor([[2.0, -1.0, 0.5], [-0.3, 1.5, 0.0]])
    all_positive = torch.tensor([[2.0, 0.1, 0.5], [0.3, 1.5, 0.2]])  # non-negative, but above 1
    for logits in (mixed_signs, all_positive):
        torch.testing.assert_close(cross_entropy(logits, Y), F.cross_entropy(logits, Y))


def test_check_false_reads_no_values_so_bad_targets_fail_in_indexing():
    with pytest.raises(RuntimeError, match="out of bounds"):
        cross_entropy(X, torch.tensor([0, 3]), check=False)


def test_one_value_in_0_1_is_not_taken_for_a_probability_but_a_batch_is():
    # A single logit of 0.3 is as likely a logit as a probability; two such values warn.
    targets = torch.tensor([1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossInputWarning)
        binary_cross_entropy_with_logits(torch.tensor([0.3]), targets)
    with pytest.warns(LossInputWarning, match="every entry lies in"):
        binary_cross_entropy_with_logits(torch.tensor([0.3, 0.8]), torch.tensor([1.0, 0.0]))
