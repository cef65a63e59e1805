import copy

import pytest
import torch

from lesson5.data import DataLoaders
from lesson5.learner import Learner
from lesson5.lr_finder import lr_find
from lesson5.optim import Adam


def _learner(n=640, bs=16, opt_func=Adam):
    torch.manual_seed(0)
    x = torch.randn(n, 10)
    y = (x[:, :3].sum(1) > 0).long()
    dls = DataLoaders.from_tensors(x, y, x[:64], y[:64], bs=bs)
    model = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    return Learner(model, dls, torch.nn.functional.cross_entropy, lr=1e-3, opt_func=opt_func)


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


def test_runs_over_several_epochs_when_needed():
    learn = _learner(n=160)  # 10 batches per epoch
    res = lr_find(learn, end_lr=1e-3, num_it=35)
    assert len(res.lrs) == 35


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


def test_readings_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    learn = _learner()
    res = lr_find(learn)
    assert 1e-7 < res.steepest < 10 and 1e-7 < res.min_loss < 10
    assert res.steepest < res.min_loss
    ax = res.plot()
    assert ax.get_xscale() == "log"


def test_bad_range_is_explained():
    with pytest.raises(ValueError, match="start_lr"):
        lr_find(_learner(), start_lr=1.0, end_lr=0.1)
