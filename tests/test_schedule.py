import math

import numpy as np
import pytest
import torch

from lesson5.learner import Callback, Learner
from lesson5.loaders import DataLoaders
from lesson5.optim import SGD, Adam
from lesson5.schedule import OneCycle, cos_anneal, one_cycle


def _learner(opt_func=SGD, n=96, bs=16):
    torch.manual_seed(0)
    x = torch.randn(n, 4)
    y = x @ torch.tensor([1.0, -2.0, 0.5, 3.0]) + 0.1 * torch.randn(n)
    dls = DataLoaders.from_tensors(x, y[:, None], x[:32], y[:32, None], bs=bs)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    return Learner(model, dls, torch.nn.functional.mse_loss, lr=0.01, opt_func=opt_func)


class Spy(Callback):
    """Records the hyper-parameters each training step actually used."""

    order = 5

    def __init__(self):
        self.seen = []

    def before_step(self, learn):
        self.seen.append([(g["lr"], g.get("momentum"), g.get("betas")) for g in learn.opt.param_groups])


def test_cos_anneal_ends():
    assert cos_anneal(1.0, 3.0, 0) == 1.0
    assert cos_anneal(1.0, 3.0, 1) == pytest.approx(3.0)
    assert cos_anneal(1.0, 3.0, 0.5) == pytest.approx(2.0)


def test_one_cycle_shape_matches_fastai_v1_defaults():
    lrs, moms = one_cycle(100, 1e-2)
    assert lrs[0] == pytest.approx(1e-2 / 25)
    assert max(lrs) == pytest.approx(1e-2) and lrs.index(max(lrs)) == 30
    assert moms[0] == pytest.approx(0.95) and moms[30] == pytest.approx(0.85)
    # One step short of the end value lr_max / (25·10⁴), as fastai's stepper.
    assert lrs[-1] == pytest.approx(cos_anneal(1e-2, 1e-2 / 25e4, 69 / 70))
    assert moms[-1] == pytest.approx(cos_anneal(0.85, 0.95, 69 / 70))
    assert all(a <= b for a, b in zip(lrs[:30], lrs[1:31]))
    assert all(a >= b for a, b in zip(lrs[30:], lrs[31:]))


def torch_one_cycle(n_steps, lr_max, pct_start):
    """Learning rates and momentums of torch.optim.lr_scheduler.OneCycleLR, one per step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr_max, momentum=0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr_max, total_steps=n_steps, pct_start=pct_start, div_factor=25.0,
        final_div_factor=1e4, base_momentum=0.85, max_momentum=0.95, anneal_strategy="cos")
    lrs, moms = [], []
    for _ in range(n_steps):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    return lrs, moms


@pytest.mark.parametrize("n_steps", [5, 7, 13, 37, 101])
@pytest.mark.parametrize("pct_start", [0.25, 0.3])
def test_one_cycle_is_torch_one_cycle_lr_with_fastai_v1s_phase_split(n_steps, pct_start):
    """fastai v1 warms up for floor(pct_start·n) batches and stops one batch short of the end.

    torch's OneCycleLR reaches lr_max on its batch pct_start·total − 1 and ends on the final
    value, so ours is torch's with one batch more and the peak one batch later.
    """
    n_up = math.floor(n_steps * pct_start)
    ref_lrs, ref_moms = torch_one_cycle(n_steps + 1, 0.1, (n_up + 1) / (n_steps + 1))
    lrs, moms = one_cycle(n_steps, 0.1, pct_start=pct_start)
    assert lrs == pytest.approx(ref_lrs[:n_steps], rel=1e-9)
    assert moms == pytest.approx(ref_moms[:n_steps], rel=1e-9)
    assert lrs.index(max(lrs)) == n_up


def test_one_cycle_without_warm_up_starts_at_the_peak():
    lrs, moms = one_cycle(3, 0.1)  # int(3 · 0.3) = 0 warm-up batches
    assert lrs[0] == 0.1 and moms[0] == 0.85
    assert lrs == sorted(lrs, reverse=True)


def test_callback_sets_lr_and_momentum_every_training_batch():
    learn = _learner()
    spy = Spy()
    learn.fit(2, cbs=[OneCycle(0.1), spy])
    lrs, moms = one_cycle(2 * len(learn.dls.train), 0.1)
    assert [s[0][0] for s in spy.seen] == pytest.approx(lrs)
    assert [s[0][1] for s in spy.seen] == pytest.approx(moms)
    assert learn.recorder.lrs == pytest.approx(lrs)


def test_adam_gets_beta1_and_keeps_beta2():
    learn = _learner(Adam)
    spy = Spy()
    learn.fit(1, cbs=[OneCycle(1e-2), spy])
    _, moms = one_cycle(len(learn.dls.train), 1e-2)
    assert [s[0][2][0] for s in spy.seen] == pytest.approx(moms)
    assert all(s[0][2][1] == 0.999 for s in spy.seen)
    assert all(s[0][1] is None for s in spy.seen)


def test_one_max_lr_per_param_group():
    learn = _learner()
    learn.create_opt([{"params": learn.model[0].parameters()}, {"params": learn.model[2].parameters()}])
    spy = Spy()
    learn.fit(1, cbs=[OneCycle(np.array([1e-3, 1e-2])), spy])
    n = len(learn.dls.train)
    assert [s[0][0] for s in spy.seen] == pytest.approx(one_cycle(n, 1e-3)[0])
    assert [s[1][0] for s in spy.seen] == pytest.approx(one_cycle(n, 1e-2)[0])


def test_wrong_number_of_max_lrs_is_explained():
    learn = _learner()
    learn.create_opt()
    learn.n_epochs = 1
    with pytest.raises(ValueError, match="param groups"):
        OneCycle([1e-3, 1e-2]).before_fit(learn)


def test_moms_none_leaves_momentum_alone():
    learn = _learner(lambda p, lr: SGD(p, lr=lr, momentum=0.5))
    spy = Spy()
    learn.fit(1, cbs=[OneCycle(0.1, moms=None), spy])
    assert all(s[0][1] == 0.5 for s in spy.seen)


def test_one_cycle_trains():
    learn = _learner()
    learn.fit(3, cbs=[OneCycle(0.05)])
    assert learn.recorder.rows[-1]["valid_loss"] < learn.recorder.rows[0]["valid_loss"]
    assert not math.isnan(learn.recorder.rows[-1]["train_loss"])


def test_linear_warm_up_is_fastai_1_0_28s_straight_line_then_the_same_cosine():
    lrs_lin, moms_lin = one_cycle(100, 0.1, warmup="linear")
    lrs_cos, moms_cos = one_cycle(100, 0.1)
    np.testing.assert_allclose(lrs_lin[:30], np.linspace(0.1 / 25, 0.1, 31)[:30])
    np.testing.assert_allclose(moms_lin[:30], np.linspace(0.95, 0.85, 31)[:30])
    assert lrs_lin[30:] == lrs_cos[30:] and moms_lin[30:] == moms_cos[30:]
    # The two warm-ups meet at both ends and differ in between (the cosine starts slower).
    assert lrs_lin[0] == pytest.approx(lrs_cos[0]) and lrs_lin[10] > lrs_cos[10]


def test_warm_up_only_and_annealing_only():
    lrs, _ = one_cycle(50, 0.1, div_final=1)
    assert lrs[15:] == pytest.approx([0.1] * 35) and lrs[0] == pytest.approx(0.1 / 25)
    lrs, _ = one_cycle(50, 0.1, pct_start=0)
    assert lrs[0] == 0.1 and lrs == sorted(lrs, reverse=True)


def test_callback_passes_the_warm_up_shape_on():
    learn = _learner()
    spy = Spy()
    learn.fit(2, cbs=[OneCycle(0.1, warmup="linear"), spy])
    lrs, _ = one_cycle(2 * len(learn.dls.train), 0.1, warmup="linear")
    assert [s[0][0] for s in spy.seen] == pytest.approx(lrs)


def test_unknown_warm_up_is_explained():
    with pytest.raises(ValueError, match="warmup must be one of"):
        one_cycle(10, 0.1, warmup="exp")
    with pytest.raises(ValueError, match="warmup must be one of"):
        OneCycle(0.1, warmup="cosine")


@pytest.mark.parametrize("pct_start", [-0.5, 1.0, 1.5])
def test_a_warm_up_fraction_outside_zero_to_one_is_refused_by_both_forms(pct_start):
    with pytest.raises(ValueError, match="pct_start is the fraction of steps spent warming up"):
        one_cycle(50, 0.1, pct_start=pct_start)
    with pytest.raises(ValueError, match="pct_start is the fraction of steps spent warming up"):
        OneCycle(0.1, pct_start=pct_start)


@pytest.mark.parametrize("setting", [{"div": 0.0}, {"div": -25.0}, {"div_final": 0.0}, {"div": float("nan")},
                                     {"div": None}])
def test_a_divisor_that_is_not_positive_is_refused_by_both_forms(setting):
    # OneCycle(0.1, div=0) was made, and the fit it was given divided by zero.
    name = next(iter(setting))
    with pytest.raises(ValueError, match=f"{name} divides lr_max, so it must be > 0"):
        one_cycle(50, 0.1, **setting)
    with pytest.raises(ValueError, match=f"{name} divides lr_max, so it must be > 0"):
        OneCycle(0.1, **setting)


def test_one_cycle_needs_a_step():
    with pytest.raises(ValueError, match="at least one step"):
        one_cycle(0, 0.1)


def _rates(learn, *callbacks, epochs=1):
    spy = Spy()
    learn.fit(epochs, cbs=[*callbacks, spy])
    return [seen[0][0] for seen in spy.seen]


def test_one_cycle_callback_follows_its_own_settings():
    learn = _learner()
    rates = _rates(learn, OneCycle(0.1, pct_start=0.5, div=10.0, div_final=2.0))
    expected, _ = one_cycle(len(learn.dls.train), 0.1, pct_start=0.5, div=10.0, div_final=2.0)
    assert rates == pytest.approx(expected)


def test_one_cycle_callback_defaults_are_the_functions():
    # Four epochs: enough steps to tell one warm-up share from another.
    learn = _learner()
    rates = _rates(learn, OneCycle(0.1), epochs=4)
    assert rates == pytest.approx(one_cycle(4 * len(learn.dls.train), 0.1)[0])


def test_the_warm_up_starts_at_the_peak_over_div():
    assert one_cycle(10, 1.0, div=10.0)[0][0] == pytest.approx(0.1)


def test_a_one_cycle_callback_given_to_a_second_fit_starts_again():
    learn = _learner()
    schedule = OneCycle(0.1)
    learn.fit(1, cbs=[schedule])
    assert _rates(learn, schedule) == pytest.approx(one_cycle(len(learn.dls.train), 0.1)[0])


@pytest.mark.parametrize("lr_max, message", [
    (-0.1, "lr_max must be >= 0"),
    ([0.01, float("nan")], "each lr_max must be >= 0"),
])
def test_a_cycle_to_a_rate_that_cannot_train_is_refused_when_made(lr_max, message):
    # OneCycle(-0.1) ran a whole cycle of negative rates, the loss climbing.
    with pytest.raises(ValueError, match=message):
        OneCycle(lr_max)


def test_rates_per_group_given_as_a_generator_are_kept_for_the_fit():
    # The check when made used a generator up, and the fit then found no rates.
    learn = _learner()
    rates = _rates(learn, OneCycle(rate for rate in [0.1]))
    assert rates == pytest.approx(one_cycle(len(learn.dls.train), 0.1)[0])


def test_a_slice_is_refused_when_made_and_the_error_names_lr_range():
    # A slice is fastai's spelling of discriminative rates; OneCycle wants the list it stands for.
    with pytest.raises(TypeError, match="lr_range"):
        OneCycle(slice(1e-3, 1e-2))
