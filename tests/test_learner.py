"""Tests of lesson5.learner: the shared training loop and its callbacks."""

import copy
import functools

import pytest
import torch
from torch import nn

from lesson5.compare import half_scores
from lesson5.learner import (
    Callback,
    CancelBatch,
    CancelEpoch,
    CancelFit,
    Learner,
    accuracy,
    default_device,
    format_duration,
)
from lesson5.loaders import DataLoader, DataLoaders


def make_dls():
    """64 training items in batches of 16, and 32 validation items."""
    torch.manual_seed(0)
    x = torch.randn(96, 5)
    y = (x[:, 0] > 0).long()
    return DataLoaders.from_tensors(x[:64], y[:64], x[64:], y[64:], bs=16)


def make_learner(**kwargs):
    torch.manual_seed(0)
    kwargs.setdefault("opt_func", torch.optim.SGD)
    return Learner(nn.Linear(5, 2), make_dls(), nn.functional.cross_entropy, device="cpu", **kwargs)


class EventLog(Callback):
    """Records every event name, to check the order the docstring promises."""

    def __init__(self):
        self.events = []

    def __getattr__(self, name):
        if name.startswith(("before_", "after_", "cleanup_")):
            return lambda learn: self.events.append((name, learn.training))
        raise AttributeError(name)


def test_fit_learns_and_records():
    learn = make_learner(lr=0.5, metrics=[accuracy])
    learn.fit(5)
    table = learn.recorder.table
    assert list(table.columns) == ["train_loss", "valid_loss", "accuracy", "time"]
    assert len(table) == 5
    assert table["train_loss"].iloc[-1] < table["train_loss"].iloc[0]
    assert table["accuracy"].iloc[-1] > 0.8
    assert len(learn.recorder.losses) == 5 * 4
    assert learn.recorder.lrs == [0.5] * 20


def test_event_order():
    log = EventLog()
    learn = make_learner()
    learn.dls = DataLoaders(DataLoader(torch.randn(4, 5), torch.zeros(4).long(), bs=4),
                            DataLoader(torch.randn(2, 5), torch.zeros(2).long(), bs=2))
    learn.fit(1, cbs=[log])
    assert log.events == [
        ("before_fit", False), ("before_epoch", False),
        ("before_batch", True), ("after_loss", True), ("before_step", True),
        ("after_step", True), ("after_batch", True),
        ("before_batch", False), ("after_loss", False), ("after_batch", False),
        ("after_epoch", False), ("after_fit", False), ("cleanup_fit", False),
    ]


def test_gradients_visible_before_step_and_cleared_after():
    seen = {}

    class Grab(Callback):
        def before_step(self, learn):
            seen["before"] = learn.model.weight.grad is not None and learn.model.weight.grad.abs().sum() > 0

    learn = make_learner()
    learn.fit(1, cbs=[Grab()])
    assert seen["before"]
    assert learn.model.weight.grad is None or learn.model.weight.grad.abs().sum() == 0


def test_cancel_batch_skips_the_step():
    class SkipAll(Callback):
        def after_loss(self, learn):
            raise CancelBatch

    learn = make_learner()
    before = learn.model.weight.detach().clone()
    learn.fit(1, cbs=[SkipAll()])
    assert torch.equal(before, learn.model.weight)


def test_cancel_fit_and_epoch():
    class StopAfter(Callback):
        def after_batch(self, learn):
            if learn.training and learn.iter == 1:
                raise CancelFit

    learn = make_learner()
    learn.fit(3, cbs=[StopAfter()])
    assert len(learn.recorder.losses) == 2

    class SkipEpoch(Callback):
        def before_epoch(self, learn):
            raise CancelEpoch

    learn = make_learner()
    learn.fit(2, cbs=[SkipEpoch()])
    assert learn.recorder.losses == []


def test_fit_lr_overrides_every_group():
    learn = make_learner(lr=0.1)
    learn.create_opt([{"params": [learn.model.weight]}, {"params": [learn.model.bias]}])
    learn.fit(1, lr=0.3)
    assert [g["lr"] for g in learn.opt.param_groups] == [0.3, 0.3]
    assert learn.lr == 0.3  # and an optimizer made afresh later starts from it


def test_a_loader_of_other_than_pairs_is_refused_with_how_to_make_one():
    learn = make_learner()
    x = torch.randn(8, 5)
    learn.dls = DataLoaders(DataLoader(x, x[:, 0].long(), x, bs=4), None)
    with pytest.raises(ValueError, match="pair \\(inputs, targets\\), got 3 items"):
        learn.fit(1)
    # A bare tensor, as a loader of other kinds may give, is no pair either, even of two rows.
    learn.dls = DataLoaders([x[:2]], None)
    with pytest.raises(ValueError, match="got Tensor"):
        learn.fit(1)


def test_get_preds_covers_validation_set():
    learn = make_learner()
    preds, targets = learn.get_preds()
    assert preds.shape == (32, 2) and targets.shape == (32,)


@pytest.mark.parametrize("metric", [accuracy, nn.functional.cross_entropy])
def test_the_halves_of_get_preds_average_to_the_validation_score_the_recorder_kept(metric):
    # The chapters' cross-fits (lesson5.compare.cross_fitted) read a run's two halves as
    # splitting the score that tune read, from the recorder.
    learn = make_learner(metrics=[accuracy], lr=0.1)
    learn.fit(2)
    kept = learn.recorder.rows[-1]["accuracy" if metric is accuracy else "valid_loss"]
    assert sum(half_scores(metric, *learn.get_preds())) / 2 == pytest.approx(float(kept), abs=1e-6)


def test_get_preds_sends_the_inputs_where_the_model_is_even_after_a_move():
    # A chapter may move the model (to the CPU, to read its weights) after the learner was
    # made on a GPU: the learner's device is then not the model's. "meta" stands in for the GPU.
    learn = make_learner()
    learn.device = torch.device("meta")
    preds, targets = learn.get_preds()
    assert preds.device.type == "cpu" and preds.shape == (32, 2)


def test_get_preds_pairs_each_prediction_with_its_own_target():
    # A model that outputs its input, fed the target as input: each row must meet its own
    # target, in every batch, including the short last one.
    y = torch.arange(10)
    learn = Learner(nn.Identity(), make_dls(), nn.functional.mse_loss, device="cpu")
    preds, targets = learn.get_preds(DataLoader(y[:, None].float(), y, bs=4))
    assert torch.equal(preds[:, 0].long(), targets) and torch.equal(targets, y)


def test_callbacks_given_to_fit_run_for_that_fit_only():
    learn, log = make_learner(), EventLog()
    learn.fit(1, cbs=[log])
    seen = len(log.events)
    learn.fit(1)
    assert seen > 0 and len(log.events) == seen and log not in learn.cbs


def test_recorder_keeps_the_last_groups_rate():
    # With discriminative rates the recorded rate is the head's, the last group's.
    learn = make_learner()
    learn.create_opt([{"params": [learn.model.weight], "lr": 0.01}, {"params": [learn.model.bias], "lr": 0.2}])
    learn.fit(1)
    assert learn.recorder.lrs == [0.2] * 4


def test_final_table_printed_outside_notebook(capsys):
    learn = make_learner()
    learn.fit(2)
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_loss" in out
    # The wall time says nothing on a page read later: shown tables leave it out, the
    # recorder keeps it.
    assert "time" not in out and "00:00" not in out
    assert "time" in learn.recorder.table.columns


def test_progress_false_prints_no_table_but_still_records(capsys):
    learn = make_learner(progress=False)
    learn.fit(2)
    assert capsys.readouterr().out == ""
    assert len(learn.recorder.table) == 2


def test_no_validation_set():
    learn = make_learner()
    learn.dls = DataLoaders(learn.dls.train)
    learn.fit(1)
    assert learn.recorder.table["valid_loss"].isna().all()


def test_rejects_plain_loader():
    with pytest.raises(TypeError, match="DataLoaders"):
        Learner(nn.Linear(2, 2), DataLoader(torch.zeros(2, 2), bs=1), nn.functional.mse_loss)


def test_a_table_before_any_epoch_finished_says_to_fit_first():
    with pytest.raises(ValueError, match="fit first"):
        _ = make_learner().recorder.table


def test_format_duration():
    assert format_duration(0.4) == "00:00"
    assert format_duration(61.6) == "01:02"


def test_live_progress_only_in_notebooks_and_when_enabled(monkeypatch):
    from lesson5 import learner as learner_module

    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    assert not learner_module.ProgressTable().live  # pytest is not a notebook
    monkeypatch.setattr(learner_module, "_in_notebook", lambda: True)
    assert learner_module.ProgressTable().live
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    assert not learner_module.ProgressTable().live


def test_cancel_batch_in_before_batch_skips_after_batch():
    """A cancelled batch has no loss to record: after_batch must not see it (issue 14)."""

    class SkipFirstTwo(Callback):
        order = -20  # before the Recorder, which would otherwise record the batch

        def before_batch(self, learn):
            if learn.training and learn.iter < 2:
                raise CancelBatch

    log = EventLog()
    learn = make_learner()
    learn.fit(1, cbs=[SkipFirstTwo(), log])
    assert len(learn.recorder.losses) == 4 - 2
    names = [name for name, _ in log.events]
    assert names.count("after_batch") == 2 + 1  # two training batches left, one validation batch


def test_cancel_batch_later_in_an_epoch_records_no_stale_loss():
    class SkipSecond(Callback):
        order = -20

        def before_batch(self, learn):
            if learn.training and learn.iter == 1:
                raise CancelBatch

    learn = make_learner(progress=False)
    learn.fit(1, cbs=[SkipSecond()])
    assert len(learn.recorder.losses) == 3
    assert len(set(learn.recorder.losses)) == 3, "a loss was recorded twice"


def test_cancel_batch_in_after_batch_ends_that_batch_alone():
    class SkipRest(Callback):
        def after_batch(self, learn):
            raise CancelBatch

    log = EventLog()
    learn = make_learner(progress=False)
    learn.fit(2, cbs=[SkipRest(), log])
    names = [name for name, _ in log.events]
    assert names.count("after_epoch") == 2 and names[-2:] == ["after_fit", "cleanup_fit"]


def test_cancel_batch_in_before_step_still_zeroes_the_gradients():
    """Otherwise the next batch's gradient is the sum of two batches' gradients."""
    seen = []

    class SkipStepOfFirst(Callback):
        def before_step(self, learn):
            seen.append(learn.model.weight.grad.clone())
            if learn.iter == 0:
                raise CancelBatch

    learn = make_learner(progress=False)
    learn.dls = DataLoaders(DataLoader(torch.randn(8, 5), torch.zeros(8).long(), bs=4))
    xb, yb = (t[4:] for t in learn.dls.train.tensors)
    reference = copy.deepcopy(learn.model)
    nn.functional.cross_entropy(reference(xb), yb).backward()
    learn.fit(1, cbs=[SkipStepOfFirst()])
    # Batch 0 took no step, so batch 1's gradient is its own, at the initial weights.
    assert len(seen) == 2
    torch.testing.assert_close(seen[1], reference.weight.grad)


def test_after_fit_is_not_run_when_before_fit_fails():
    """A callback's own error in before_fit reaches the user, not a later callback's confusion."""

    class Broken(Callback):
        order = -5

        def before_fit(self, learn):
            raise TypeError("the helpful message")

        def cleanup_fit(self, learn):
            cleaned.append(self)

    cleaned = []
    learn = make_learner()
    log = EventLog()
    with pytest.raises(TypeError, match="the helpful message"):
        learn.fit(1, cbs=[Broken(), log])
    assert log.events == []
    assert not learn.training
    # Cleanup is for what started: its own cleanup could fail and hide the first error.
    assert cleaned == []


def test_one_cycle_slice_error_reaches_the_user():
    from lesson5.schedule import OneCycle

    learn = make_learner()
    with pytest.raises(TypeError, match="lr_range turns a slice"):
        learn.fit(1, cbs=[OneCycle(slice(1e-3, 1e-2))])


def test_after_events_only_on_success_cleanup_always():
    class Boom(Callback):
        order = 1  # after the log, which sees after_loss first

        def after_loss(self, learn):
            if learn.training:
                raise RuntimeError("boom")

    log = EventLog()
    learn = make_learner()
    with pytest.raises(RuntimeError, match="boom"):
        learn.fit(1, cbs=[Boom(), log])
    names = [name for name, _ in log.events]
    assert names == ["before_fit", "before_epoch", "before_batch", "after_loss", "cleanup_fit"]
    # Stopped in a training batch, the learner is no longer training when it cleans up.
    assert log.events[-1] == ("cleanup_fit", False) and not learn.training


def test_cancel_fit_skips_after_fit_but_runs_cleanup_and_shows_the_table(capsys):
    class StopInSecondEpoch(Callback):
        def before_epoch(self, learn):
            if learn.epoch == 1:
                raise CancelFit

    log = EventLog()
    learn = make_learner()
    learn.fit(3, cbs=[StopInSecondEpoch(), log])
    names = [name for name, _ in log.events]
    assert "after_fit" not in names and names[-1] == "cleanup_fit"
    assert len(learn.recorder.table) == 1
    assert "train_loss" in capsys.readouterr().out


def test_cancel_epoch_skips_after_epoch():
    class SkipValidation(Callback):
        def before_batch(self, learn):
            if not learn.training:
                raise CancelEpoch

    log = EventLog()
    learn = make_learner()
    learn.fit(2, cbs=[SkipValidation(), log])
    names = [name for name, _ in log.events]
    assert "after_epoch" not in names
    assert learn.recorder.rows == [] and len(learn.recorder.losses) == 8


@pytest.mark.parametrize("mode", [True, False])
def test_get_preds_restores_the_models_mode(mode):
    learn = make_learner()
    learn.model.train(mode)
    learn.get_preds()
    assert learn.model.training is mode


def unequal_batches():
    """10 training and 10 validation rows in batches of 4, 4 and 2."""
    torch.manual_seed(0)
    x, xv = torch.randn(10, 5), torch.randn(10, 5)
    y, yv = (x[:, 0] > 0).long(), (xv[:, 0] > 0).long()
    return DataLoaders(DataLoader(x, y, bs=4), DataLoader(xv, yv, bs=4)), xv, yv


def test_recorder_averages_each_epoch_over_its_own_samples():
    dls, xv, yv = unequal_batches()
    learn = make_learner(progress=False, metrics=[accuracy])
    learn.dls = dls
    learn.fit(2)
    sizes, losses = [4, 4, 2], learn.recorder.losses
    for epoch, row in enumerate(learn.recorder.rows):
        theirs = losses[3 * epoch : 3 * epoch + 3]
        assert row["train_loss"] == pytest.approx(sum(loss * n for loss, n in zip(theirs, sizes)) / 10)
        assert row["train_loss"] != pytest.approx(sum(theirs) / 3)
    # The last row scores the model as training left it, not an average over both epochs.
    with torch.no_grad():
        preds = learn.model(xv)
    last = learn.recorder.rows[-1]
    assert last["valid_loss"] == pytest.approx(nn.functional.cross_entropy(preds, yv).item(), rel=1e-6)
    assert last["accuracy"] == pytest.approx(accuracy(preds, yv).item())


def test_a_second_fit_shows_only_its_own_epochs(capsys):
    learn = make_learner()
    learn.fit(2)
    capsys.readouterr()
    learn.fit(1)
    shown = capsys.readouterr().out
    # Each row of the printed table starts with its epoch number.
    epochs = [line.split()[0] for line in shown.splitlines() if line[:1].isdigit()]
    assert epochs == ["1"], shown
    # The recorder keeps every fit's rows, each fit numbered from 1.
    assert list(learn.recorder.table.index) == [1, 2, 1]


def test_validation_runs_without_recording_a_graph():
    seen = []

    class Grad(Callback):
        def after_loss(self, learn):
            if not learn.training:
                seen.append(learn.loss.requires_grad)

    make_learner(progress=False).fit(1, cbs=[Grad()])
    assert seen and not any(seen)


def test_the_default_learning_rate_is_a_tenth():
    torch.manual_seed(0)
    learn = Learner(nn.Linear(5, 2), make_dls(), nn.functional.cross_entropy, device="cpu", progress=False)
    learn.fit(1)
    assert learn.opt.param_groups[0]["lr"] == 0.1


def test_default_optimizer_is_the_packages_sgd():
    from lesson5.optim import SGD

    torch.manual_seed(0)
    learn = Learner(nn.Linear(5, 2), make_dls(), nn.functional.cross_entropy, lr=0.3, device="cpu")
    learn.fit(1)
    assert type(learn.opt) is SGD
    assert learn.opt.param_groups[0]["lr"] == 0.3 and learn.opt.param_groups[0]["momentum"] == 0


def test_plot_loss_draws_batches_and_epoch_ends():
    import matplotlib

    matplotlib.use("Agg")
    learn = make_learner(progress=False)
    learn.fit(2)
    train, valid = learn.recorder.plot_loss().get_lines()
    assert list(train.get_ydata()) == learn.recorder.losses
    assert list(valid.get_xdata()) == [4.0, 8.0]  # 4 batches per epoch
    assert list(valid.get_ydata()) == [r["valid_loss"] for r in learn.recorder.rows]
    (skipped, _) = learn.recorder.plot_loss(skip_start=3).get_lines()
    assert list(skipped.get_xdata()) == list(range(3, 8))


def test_live_progress_bar_then_the_table_in_its_place(monkeypatch):
    import IPython.display

    from lesson5 import learner as learner_module

    shown = []

    class Handle:
        def update(self, obj):
            shown.append(obj)

    def fake_display(obj, display_id=False):
        assert display_id
        shown.append(obj)
        return Handle()

    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    monkeypatch.setattr(learner_module, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    learn = make_learner()
    learn.fit(2)
    assert "epoch 1/2 train |" in shown[0].data and "| 1/4" in shown[0].data
    final = shown[-1]
    assert final.equals(learn.recorder.table.drop(columns="time").round(4))
    # The table counts epochs as the bar does, from 1.
    assert list(final.index) == [1, 2]


class OneDNNSeen(nn.Linear):
    """A linear layer that notes, on each forward pass, whether oneDNN was on."""

    def __init__(self):
        super().__init__(5, 2)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, torch.backends.mkldnn.enabled))
        return super().forward(x)


def test_training_runs_without_onednn_and_scoring_with_it(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", False)
    torch.manual_seed(0)
    model = OneDNNSeen()
    learn = Learner(model, make_dls(), nn.functional.cross_entropy, device="cpu", progress=False)
    learn.fit(1)
    assert set(model.seen) == {(True, False), (False, True)}
    model.seen.clear()
    learn.get_preds()
    assert set(model.seen) == {(False, True)}
    assert torch.backends.mkldnn.enabled is False


def test_scoring_kernels_give_a_convnets_scores_to_the_last_bits_that_matter():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 13 * 13, 5)
    ).eval()
    x = torch.randn(64, 1, 28, 28)
    torch.backends.mkldnn.enabled, was = False, torch.backends.mkldnn.enabled
    try:
        with torch.no_grad():
            plain = model(x)
        learn = Learner(model, DataLoaders.from_tensors(x, torch.zeros(64), bs=64), nn.functional.mse_loss,
                        device="cpu", progress=False)
        scored, _ = learn.get_preds(DataLoader(x, torch.zeros(64), bs=64))
    finally:
        torch.backends.mkldnn.enabled = was
    # That scoring turns oneDNN on is the test above's; this one bounds what that changes.
    torch.testing.assert_close(scored, plain, rtol=1e-5, atol=1e-5)
    assert torch.equal(scored.argmax(1), plain.argmax(1))


def test_get_preds_scores_the_loader_it_is_given_even_an_empty_one():
    learn = make_learner()
    empty = DataLoader(torch.randn(3, 5), torch.zeros(3, dtype=torch.long), bs=8, drop_last=True)
    with pytest.raises(ValueError, match="no batches"):
        learn.get_preds(empty)
    learn.dls = DataLoaders(learn.dls.train)
    with pytest.raises(ValueError, match="no validation set"):
        learn.get_preds()


@pytest.mark.parametrize(
    "metrics",
    [[lambda p, t: accuracy(p, t)], [accuracy, accuracy], [functools.partial(accuracy)]],
    ids=["lambda", "twice", "partial"],
)
def test_metrics_without_a_name_of_their_own_are_refused(metrics):
    with pytest.raises(ValueError, match="name of its own"):
        make_learner(metrics=metrics)


@pytest.mark.parametrize("column", ["epoch", "train_loss", "valid_loss", "time"])
def test_a_metric_named_as_one_of_the_tables_columns_is_refused(column):
    # Before, a metric named valid_loss left the loss's column NaN and its own nowhere.
    def metric(preds, targets):
        return accuracy(preds, targets)

    metric.__name__ = column
    with pytest.raises(ValueError, match=f"'{column}'.*rename the function"):
        make_learner(metrics=[metric])


class Noted(Callback):
    pass


@pytest.mark.parametrize("kwargs, message", [
    ({"metrics": accuracy}, r"metrics=\[accuracy\]"),
    ({"cbs": Noted()}, r"cbs=\[Noted\(...\)\]"),
    ({"cbs": [Noted]}, r"the class Noted, not a callback made from it: write Noted\(...\)"),
    ({"cbs": [print]}, "no callback"),
    ({"opt_func": torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)}, "opt_func=SGD"),
], ids=["one metric", "one callback", "a callback's class", "a function", "an optimizer"])
def test_a_learner_refuses_what_it_cannot_use_before_any_training_saying_what_to_write(kwargs, message):
    # Each failed deep inside the loop before, some only after a first training step:
    # "'function' object is not iterable", "C.after_batch() missing 1 required positional argument".
    with pytest.raises(TypeError, match=message):
        make_learner(**kwargs)


def test_a_fits_own_callbacks_are_checked_as_the_learners_are():
    with pytest.raises(TypeError, match="the class Noted"):
        make_learner().fit(1, cbs=[Noted])


@pytest.mark.parametrize("n_epochs", [0, -1, 2.0, True])
def test_a_fit_needs_a_whole_number_of_epochs(n_epochs):
    # fit(0) trained nothing and said nothing; the table then told the reader to fit first.
    learn = make_learner()
    with pytest.raises(ValueError, match=f"1 or more, got {n_epochs!r}"):
        learn.fit(n_epochs)
    assert learn.opt is None


def test_a_fit_takes_a_numpy_integer_for_its_epochs():
    import numpy as np

    learn = make_learner()
    learn.fit(np.int64(2))
    assert len(learn.recorder.table) == 2


@pytest.mark.parametrize("lr", [-0.5, float("nan")])
def test_a_fits_learning_rate_is_checked_as_the_optimizers_are(lr):
    learn = make_learner(lr=0.1)
    learn.fit(1)
    with pytest.raises(ValueError, match="lr must be >= 0"):
        learn.fit(1, lr=lr)
    assert [g["lr"] for g in learn.opt.param_groups] == [0.1] and learn.lr == 0.1


def test_a_training_or_validation_set_with_no_batches_is_refused_before_a_fit():
    learn = make_learner()
    learn.dls = DataLoaders.from_tensors(torch.zeros(0, 5), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match="training loader gives no batches"):
        learn.fit(1)
    learn.dls = DataLoaders(DataLoader(torch.zeros(3, 5), torch.zeros(3, dtype=torch.long), bs=4, drop_last=True))
    with pytest.raises(ValueError, match="at least one whole batch"):
        learn.fit(1)
    empty = DataLoader(torch.zeros(0, 5), torch.zeros(0, dtype=torch.long))
    learn.dls = DataLoaders(make_dls().train, empty)
    with pytest.raises(ValueError, match=r"validation loader gives no batches.*DataLoaders\(train_loader\)"):
        learn.fit(1)


def test_a_loss_of_more_than_one_number_per_batch_is_refused_naming_the_fix():
    # backward() said "grad can be implicitly created only for scalar outputs".
    learn = make_learner()
    learn.loss_func = functools.partial(nn.functional.cross_entropy, reduction="none")
    with pytest.raises(ValueError, match=r"gave shape \(16,\) for a batch.*reduction='mean'"):
        learn.fit(1)


def test_a_metric_of_more_than_one_number_per_batch_is_refused_by_name():
    # float() said "only one element tensors can be converted to Python scalars", naming no metric.
    def hits(preds, targets):
        return preds.argmax(dim=1) == targets

    with pytest.raises(ValueError, match=r"the metric hits gave shape \(32,\) for a batch"):
        make_learner(metrics=[hits]).fit(1)


def test_get_preds_given_a_tensor_says_it_takes_a_loader():
    with pytest.raises(TypeError, match=r"not a tensor: get_preds\(DataLoader\(x, y\)\)"):
        make_learner().get_preds(torch.zeros(4, 5))


def test_accuracy_refuses_predictions_that_are_not_one_row_of_scores_per_item():
    # A regression's (batch,) outputs failed with "Dimension out of range", after a whole epoch.
    with pytest.raises(ValueError, match=r"shape \(batch, classes\), got \(8,\)"):
        accuracy(torch.zeros(8), torch.zeros(8))


def test_plot_loss_puts_each_validation_point_where_its_epoch_ended():
    import matplotlib

    matplotlib.use("Agg")

    class StopMidEpoch(Callback):
        def after_batch(self, learn):
            if learn.training and learn.epoch == 1 and learn.iter == 1:
                raise CancelFit

    learn = make_learner(progress=False)
    learn.fit(3, cbs=[StopMidEpoch()])
    assert len(learn.recorder.losses) == 6 and len(learn.recorder.rows) == 1
    _, valid = learn.recorder.plot_loss().get_lines()
    assert list(valid.get_xdata()) == [4]  # the first epoch's 4 batches, not 6 / 1


def test_a_gpu_pytorch_cannot_run_on_is_passed_over_with_a_warning(monkeypatch):
    # As an old laptop GPU looks to a PyTorch build without kernels for it: available, yet the
    # first operation on it fails.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    made = torch.ones

    def ones(*size, device=None, **kwargs):
        if device == "cuda":
            raise RuntimeError("CUDA error: no kernel image is available for execution on the device")
        return made(*size, device=device, **kwargs)

    monkeypatch.setattr(torch, "ones", ones)
    with pytest.warns(UserWarning, match="cannot run on it.*no kernel image.*device='cpu'"):
        assert default_device() == torch.device("cpu")
    monkeypatch.setattr(torch, "ones", lambda *size, device=None, **kwargs: made(*size, **kwargs))
    assert default_device() == torch.device("cuda")
