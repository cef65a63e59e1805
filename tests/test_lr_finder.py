import copy
import types

import numpy as np
import pytest
import torch

from lesson5.learner import Callback, CancelBatch, CancelFit, Learner
from lesson5.loaders import DataLoaders
from lesson5.lr_finder import LRFind, LRFinder, lr_find
from lesson5.optim import Adam


def _learner(n=640, bs=16):
    torch.manual_seed(0)
    x = torch.randn(n, 10)
    y = (x[:, :3].sum(1) > 0).long()
    dls = DataLoaders.from_tensors(x, y, x[:64], y[:64], bs=bs)
    model = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    return Learner(model, dls, torch.nn.functional.cross_entropy, lr=1e-3, opt_func=Adam)


class RatesStepped(Callback):
    """Each training step's rates, one per parameter group, as the optimizer holds them (read
    at before_step, after every callback's before_batch, where the finder sets them)."""

    def __init__(self):
        self.rates = []

    def before_step(self, learn):
        self.rates.append([group["lr"] for group in learn.opt.param_groups])


def _sweep_with_spy(learn, **kwargs):
    spy = RatesStepped()
    learn.cbs.append(spy)
    return lr_find(learn, **kwargs), spy.rates


def test_sweep_is_exponential_and_stops_on_divergence():
    learn = _learner()
    res = lr_find(learn, num_it=100)
    assert res.lrs[0] == pytest.approx(1e-7)
    ratios = [b / a for a, b in zip(res.lrs, res.lrs[1:])]
    assert ratios == pytest.approx([1e8 ** (1 / 100)] * len(ratios))
    assert len(res.lrs) == len(res.losses) == len(res.smooth_losses)
    # Adam at lr≈10 diverges: the finder stops early once loss > 4·best.
    assert len(res.lrs) < 100
    assert res.smooth_losses[-1] > 4 * min(res.smooth_losses)


def test_the_batches_skipped_at_each_end_are_the_callers():
    res = lr_find(_learner(), num_it=100, stop_div=False, skip_start=3, skip_end=2)
    assert (res.skip_start, res.skip_end) == (3, 2)
    # The plot draws the smoothed curve over the batches left between the two ends.
    ax = res.plot(suggest=False)
    assert len(ax.lines[-1].get_xdata()) == len(res.lrs) - 5


def test_without_stop_div_a_diverging_sweep_runs_to_num_it():
    # The same sweep as above, which diverges and stops early with stop_div on.
    res = lr_find(_learner(), num_it=100, stop_div=False)
    assert len(res.lrs) == 100


def _loss_failing_after(batches, failure):
    """Cross-entropy for `batches` training batches, then `failure()` (a NaN loss, or raises)."""
    calls = []

    def loss(preds, targets):
        calls.append(1)
        return failure(preds) if len(calls) > batches else torch.nn.functional.cross_entropy(preds, targets)

    return loss


def test_a_nan_loss_stops_the_sweep_at_that_batch():
    learn = _learner()
    learn.loss_func = _loss_failing_after(20, lambda preds: preds.sum() * float("nan"))
    res = lr_find(learn, end_lr=1e-3, num_it=100)
    assert len(res.lrs) == 21 and np.isnan(res.losses[-1])


def test_a_sweep_cut_short_by_an_error_still_puts_the_weights_back():
    learn = _learner()
    before = copy.deepcopy(learn.model.state_dict())

    def interrupted(preds):
        raise KeyboardInterrupt

    learn.loss_func = _loss_failing_after(15, interrupted)
    with pytest.raises(KeyboardInterrupt):
        lr_find(learn, num_it=100)
    after = learn.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_runs_over_several_epochs_when_needed():
    learn = _learner(n=160)  # 10 batches per epoch
    batches = []

    class Count(Callback):
        def after_batch(self, learn):
            batches.append(learn.training)

    learn.cbs.append(Count())
    res = lr_find(learn, end_lr=1e-3, num_it=35)
    assert len(res.lrs) == 35
    # Training batches alone: each epoch's validation pass is skipped, not swept. (The 35th
    # ends the fit in the finder's own after_batch, which runs first: order -5.)
    assert batches == [True] * 34


def test_smoothing_is_bias_corrected():
    learn = _learner()
    res = lr_find(learn, num_it=20, end_lr=1e-6)
    assert res.smooth_losses[0] == pytest.approx(res.losses[0])
    avg = 0.0
    for i, loss in enumerate(res.losses, 1):
        avg = 0.98 * avg + 0.02 * loss
        assert res.smooth_losses[i - 1] == pytest.approx(avg / (1 - 0.98**i))


def test_weights_optimizer_and_history_restored():
    learn = _learner()
    learn.fit(1)
    weights = copy.deepcopy(learn.model.state_dict())
    opt_state = copy.deepcopy(learn.opt.state_dict())
    n_losses, n_rows = len(learn.recorder.losses), len(learn.recorder.rows)
    lr_find(learn)
    for k, v in learn.model.state_dict().items():
        assert torch.equal(v, weights[k]), k
    after = learn.opt.state_dict()
    assert after["param_groups"] == opt_state["param_groups"]
    for i, state in opt_state["state"].items():
        for k, v in state.items():
            assert torch.equal(after["state"][i][k], v), (i, k)
    assert len(learn.recorder.losses) == n_losses and len(learn.recorder.rows) == n_rows


def test_fit_after_finder_equals_fit_without_it():
    a, b = _learner(), _learner()
    lr_find(a)
    assert a.opt is None  # the finder built an optimizer only for itself
    torch.manual_seed(1)
    a.fit(1)
    torch.manual_seed(1)
    b.fit(1)
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(p, q)


def test_sweep_is_torchs_exponential_schedule():
    res, stepped = _sweep_with_spy(_learner(), start_lr=1e-6, end_lr=1e-1, num_it=30, stop_div=False)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1e-6)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=(1e-1 / 1e-6) ** (1 / 30))
    expected = []
    for _ in range(30):
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert res.lrs == pytest.approx(expected, rel=1e-9)
    # And each is the rate the optimizer stepped with when its loss was recorded.
    assert stepped == [[lr] for lr in res.lrs]


def test_every_parameter_group_steps_at_the_sweeps_rate():
    learn = _learner()
    body, head = learn.model[0], learn.model[2]
    learn.create_opt([{"params": body.parameters(), "lr": 1.0}, {"params": head.parameters()}])
    res, stepped = _sweep_with_spy(learn, num_it=12, stop_div=False)
    assert len(res.lrs) == 12 and stepped == [[lr, lr] for lr in res.lrs]
    # The optimizer's own rates are put back afterwards.
    assert [group["lr"] for group in learn.opt.param_groups] == [1.0, learn.lr]


def synthetic_curve():
    """60 batches: flat, a fall that is steepest from batch 24 to 25, a minimum at 40, a rise.

    Batches 3 and 57 hold a steeper fall and a lower loss than any other, but lie in the
    skipped start and end (skip_start=10, skip_end=5), so neither reading may pick them.
    """
    lrs = list(np.logspace(-7, 1, 60))
    smooth = [2.0] * 20
    for i in range(20, 41):
        smooth.append(smooth[-1] - {25: 0.5, 26: 0.3}.get(i, 0.05))
    while len(smooth) < 60:
        smooth.append(smooth[-1] + 0.2)
    smooth[3] = -50.0
    smooth[57] = -100.0
    return LRFind(lrs=lrs, losses=smooth, smooth_losses=smooth)


def test_readings_on_a_known_curve():
    res = synthetic_curve()
    assert res.steepest == res.lrs[25]
    assert res.min_loss == res.lrs[40]


def test_readings_on_a_real_sweep_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    res = lr_find(_learner())
    lrs, losses = np.array(res.lrs[10:-5]), np.array(res.smooth_losses[10:-5])
    # Past the steepest point the loss is still falling, and it is at its lowest further on.
    assert res.steepest < res.min_loss
    assert losses[lrs == res.min_loss][0] == losses.min()
    assert losses[lrs == res.steepest][0] > losses.min()
    ax = res.plot()
    assert ax.get_xscale() == "log"
    raw, smooth, steepest, min_over_10 = ax.get_lines()
    assert list(raw.get_ydata()) == res.losses[10:-5] and list(smooth.get_ydata()) == list(losses)
    assert steepest.get_xdata()[0] == res.steepest and min_over_10.get_xdata()[0] == res.min_loss / 10
    assert min_over_10.get_label() == f"lr at lowest / 10: {res.min_loss / 10:.1e}"


def test_too_short_a_sweep_is_explained():
    res = LRFind(lrs=[1e-3] * 16, losses=[1.0] * 16, smooth_losses=[1.0] * 16)
    with pytest.raises(ValueError, match="raise num_it"):
        _ = res.steepest


def test_bad_range_is_explained():
    with pytest.raises(ValueError, match="start_lr"):
        lr_find(_learner(), start_lr=1.0, end_lr=0.1)
    with pytest.raises(ValueError, match="start_lr"):
        LRFinder(start_lr=1.0, end_lr=0.1)


@pytest.mark.parametrize("num_it", [0, -5, 2.5, True])
def test_a_number_of_batches_that_is_not_a_whole_one_or_more_is_refused_by_its_name(num_it):
    # lr_find(num_it=0) blamed n_epochs, which the caller never passed; LRFinder(num_it=0)
    # divided by zero at the first batch.
    with pytest.raises(ValueError, match="num_it is the number of batches to try"):
        lr_find(_learner(), num_it=num_it)
    with pytest.raises(ValueError, match="num_it is the number of batches to try"):
        LRFinder(num_it=num_it)


def test_raw_minimum_and_resmoothing_on_a_known_curve():
    # Raw losses: flat at 2, a dip to 0.5 at batch 30, then flat at 1.5: the raw minimum is at
    # batch 30, while the smoothed (beta 0.98) minimum comes later, as the average catches up.
    lrs = list(np.logspace(-7, 1, 60))
    raw = [2.0] * 30 + [0.5] + [1.5] * 29
    finder_smooth = LRFind(lrs=lrs, losses=raw, smooth_losses=[0.0] * 60).smoothed(0.98)
    res = LRFind(lrs=lrs, losses=raw, smooth_losses=finder_smooth)
    assert res.raw_min_loss == lrs[30]
    assert res.min_loss > res.raw_min_loss
    assert res.smoothed(0.0) == pytest.approx(raw)
    with pytest.raises(ValueError, match="beta"):
        res.smoothed(1.0)
    # The finder itself refuses such a beta when it is made, before any training.
    with pytest.raises(ValueError, match="beta"):
        LRFinder(beta=1.0)


def test_a_training_loader_without_batches_is_named_before_any_sweep():
    learn = _learner(n=8, bs=16)
    learn.dls.train.drop_last = True
    with pytest.raises(ValueError, match="training loader gives no batches"):
        lr_find(learn)


def test_a_finder_used_for_a_second_sweep_records_that_sweep_alone():
    learn = _learner()
    finder = LRFinder(num_it=5, stop_div=False)
    learn.fit(1, cbs=[finder])
    first = list(finder.result.lrs)
    learn.fit(1, cbs=[finder])
    assert len(first) == 5 and finder.result.lrs == first
    assert len(finder.result.losses) == len(finder.result.smooth_losses) == 5
    # Its moving average starts afresh too: the first smoothed loss is the first loss.
    assert finder.result.smooth_losses[0] == pytest.approx(finder.result.losses[0])


def test_finder_records_its_beta_and_smooths_as_the_closed_form_does():
    res = lr_find(_learner(), num_it=40, end_lr=1e-2)
    assert res.beta == 0.98
    # Bias-corrected: sum_k (1 - b) b^(t-k) x_k / (1 - b^t), written out here, not by the package.
    losses, beta = np.array(res.losses), res.beta
    expected = [sum((1 - beta) * beta ** (t - k) * losses[k - 1] for k in range(1, t + 1)) / (1 - beta ** t)
                for t in range(1, len(losses) + 1)]
    assert res.smooth_losses == pytest.approx(expected, rel=1e-12)
    assert res.smoothed(res.beta) == pytest.approx(expected, rel=1e-12)
    assert len(set(res.losses)) == len(res.losses), "the losses must differ for the smoothing to show"


def test_the_sweep_stops_at_the_first_smoothed_loss_past_four_times_its_best():
    # beta=0 leaves the losses unsmoothed, so the rule reads off them directly.
    finder = LRFinder(num_it=1000, beta=0.0)
    learn = types.SimpleNamespace(loss=None)
    finder.before_fit(learn)
    losses = [1.0] * 5 + [1.0 + 0.5 * k for k in range(1, 20)]
    with pytest.raises(CancelFit):
        for loss in losses:
            learn.loss = torch.tensor(loss)
            finder.after_batch(learn)
    smooth = finder.result.smooth_losses
    assert smooth[-1] == 4.5
    assert all(s <= 4 * min(smooth) for s in smooth[:-1])


def test_a_batch_another_callback_cancels_records_neither_its_rate_nor_a_loss():
    class SkipEveryOther(Callback):
        # After the finder has set the batch's rate.
        order = 0

        def before_batch(self, learn):
            if learn.training and learn.iter % 2:
                raise CancelBatch

    learn = _learner()
    learn.cbs.append(SkipEveryOther())
    res, stepped = _sweep_with_spy(learn, num_it=20, stop_div=False)
    assert len(res.lrs) == len(res.losses) == 20
    # Each rate is the one its loss was trained at: the sweep's next step, never a repeat.
    assert stepped == [[lr] for lr in res.lrs]
    ratios = [b / a for a, b in zip(res.lrs, res.lrs[1:])]
    assert ratios == pytest.approx([1e8 ** (1 / 20)] * 19)
