"""The training loop every chapter that trains shares (02 to 07): a `Learner` with callbacks.

Introduced in book/02_from_scratch.ipynb (A neural net from scratch); the later chapters
plug schedules, weight decay and the learning-rate finder into it as callbacks, and freeze
layers through the parameter groups of its optimizer (`lesson5.transfer`).

A fit is a fixed sequence of events. At each one the learner calls the method of that name
on every callback, in `order`, passing itself:

    before_fit
      before_epoch
        before_batch  after_loss  before_step  after_step  after_batch   (training batches)
        before_batch  after_loss  after_batch                            (validation batches)
      after_epoch
    after_fit
    cleanup_fit

`before_step` runs after `backward()`, so a callback sees the gradients there. A callback
ends a batch, an epoch or the whole fit early by raising CancelBatch, CancelEpoch or
CancelFit. An `after_*` event runs only when its stage finished: a cancelled batch has no
`after_batch`, so no callback records a loss that was never computed. Whatever happens,
`cleanup_fit` runs last, for each callback whose `before_fit` ran (and no other: a callback
that never started has nothing to clean up, and the first error is the one reported).
"""

import math
import time
import warnings
from contextlib import nullcontext

import pandas as pd
import torch

from .loaders import DataLoaders
from .optim import check_hyper, is_count
from .progress import in_notebook as _in_notebook
from .progress import progress_enabled
from .seed import scoring, scoring_kernels


class CancelBatch(Exception):
    """Raised by a callback to skip the rest of the current batch."""


class CancelEpoch(Exception):
    """Raised by a callback to skip the rest of the current epoch."""


class CancelFit(Exception):
    """Raised by a callback to stop training (the learning-rate finder does)."""


class Callback:
    """Base class: override any of the event methods listed in this module's docstring.

    At each event the callbacks run in increasing `order`, ties in the order given. The
    package's own: the `Recorder` at -10, `OneCycle` and the finder's `LRFinder` at -5, yours at
    0 unless they set `order`, `WeightDecay` at 5 and the `ProgressTable` at 10.
    """

    order = 0


def default_device():
    """CUDA when PyTorch can run on the GPU present, else CPU: the chapters never require a GPU.

    A GPU that the installed PyTorch build has no kernels for still counts as available, and
    every fit would then stop at "no kernel image is available for execution on the device";
    one small operation on it tells, and such a GPU is passed over with a warning.
    """
    if not torch.cuda.is_available():
        return torch.device("cpu")
    try:
        torch.ones(1, device="cuda").add_(1).item()
    except RuntimeError as error:
        warnings.warn(f"PyTorch sees a GPU but cannot run on it, so the Learner trains on the CPU ({error}). "
                      "Learner(..., device='cpu') skips this check.", stacklevel=3)
        return torch.device("cpu")
    return torch.device("cuda")


def format_duration(seconds):
    """mm:ss, for the time column the recorder's table keeps (the tables shown leave it out)."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes:02d}:{secs:02d}"


class Recorder(Callback):
    """Keeps what a fit produced: per-batch training loss and learning rate, per-epoch table.

    `lrs` holds the rate of the optimizer's last parameter group (the head's, when the groups
    have discriminative rates), as the step of each training batch used it.
    """

    order = -10
    # The table's own columns, written below; each metric adds one of its name.
    COLUMNS = ("epoch", "train_loss", "valid_loss", "time")

    def __init__(self):
        self.losses, self.lrs, self.rows = [], [], []
        # The number of training batches recorded when each epoch ended, for plot_loss.
        self.epoch_ends = []

    def before_epoch(self, learn):
        self._start = time.perf_counter()
        self._sums = {"train_loss": [0.0, 0], "valid_loss": [0.0, 0]}
        self._metric_sums = {m.__name__: [0.0, 0] for m in learn.metrics}

    def after_batch(self, learn):
        n = len(learn.yb)
        loss = learn.loss.item()
        if learn.training:
            self.losses.append(loss)
            self.lrs.append(learn.opt.param_groups[-1]["lr"])
            self._add("train_loss", loss, n)
        else:
            self._add("valid_loss", loss, n)
            for metric in learn.metrics:
                value = metric(learn.preds, learn.yb)
                if isinstance(value, torch.Tensor) and value.numel() != 1:
                    raise ValueError(f"the metric {metric.__name__} gave shape {tuple(value.shape)} for a batch: "
                                     "return one number per batch (a mean, such as (...).float().mean())")
                self._add(metric.__name__, float(value), n)

    def _add(self, key, value, n):
        sums = self._sums if key in self._sums else self._metric_sums
        sums[key][0] += value * n
        sums[key][1] += n

    def after_epoch(self, learn):
        # Counted from 1, as the progress bar counts them and the chapters' text does ("the
        # lowest validation loss after 4 of the 10 epochs"): learn.epoch counts from 0.
        row = {"epoch": learn.epoch + 1}
        for key, (total, n) in {**self._sums, **self._metric_sums}.items():
            row[key] = total / n if n else math.nan
        row["time"] = format_duration(time.perf_counter() - self._start)
        self.rows.append(row)
        self.epoch_ends.append(len(self.losses))

    @property
    def table(self):
        """One row per epoch, numbered from 1 within each fit (so a learner fitted twice
        repeats its labels): losses averaged over samples, metrics on the validation set."""
        if not self.rows:
            raise ValueError("no epoch has finished yet, so there is no table: fit first (learn.fit(n_epochs))")
        return pd.DataFrame(self.rows).set_index("epoch")

    def plot_loss(self, ax=None, skip_start=0):
        """Training loss per batch; validation loss per epoch, placed at the epoch's end."""
        import matplotlib.pyplot as plt

        ax = ax or plt.subplots(figsize=(6, 3.5))[1]
        ax.plot(range(skip_start, len(self.losses)), self.losses[skip_start:], label="train")
        if self.rows and not math.isnan(self.rows[0]["valid_loss"]):
            ax.plot(self.epoch_ends, [r["valid_loss"] for r in self.rows], "o-", label="valid")
        ax.set(xlabel="batch", ylabel="loss")
        ax.legend()
        return ax


class ProgressTable(Callback):
    """Shows the epoch table when a fit ends, and a live progress bar while it runs.

    The final output is the same table whether or not the bar was shown, so a chapter's
    stored outputs do not depend on who executed it. It leaves out the epoch's wall time,
    which says nothing on a page read later (and differs between runs); the recorder's
    `table` keeps it.
    """

    order = 10
    # Four decimals: enough to tell runs apart, few enough to read across a table.
    digits = 4

    def __init__(self):
        self.live = progress_enabled() and _in_notebook()

    def before_fit(self, learn):
        self._handle = None
        self._last = 0.0
        self._start_row = len(learn.recorder.rows)

    def _rendered(self, learn):
        return learn.recorder.table.iloc[self._start_row :].drop(columns="time").round(self.digits)

    def after_batch(self, learn):
        now = time.perf_counter()
        if not self.live or now - self._last < 0.2:
            return
        self._last = now
        done = learn.iter + 1
        total = learn.n_iter
        bar = "█" * int(30 * done / total)
        phase = "train" if learn.training else "valid"
        text = f"epoch {learn.epoch + 1}/{learn.n_epochs} {phase} |{bar:<30}| {done}/{total}"
        self._show(learn, text)

    def _show(self, learn, text=None):
        from IPython.display import HTML, display

        html = self._rendered(learn).to_html() if len(learn.recorder.rows) > self._start_row else ""
        if text is not None:
            html += f"<pre>{text}</pre>"
        if self._handle is None:
            self._handle = display(HTML(html), display_id=True)
        else:
            self._handle.update(HTML(html))

    def cleanup_fit(self, learn):
        # Not after_fit: a fit stopped early (CancelFit, an error) still shows the epochs it ran.
        if len(learn.recorder.rows) == self._start_row:
            return
        table = self._rendered(learn)
        if self._handle is not None:
            self._handle.update(table)
        elif _in_notebook():
            from IPython.display import display

            display(table)
        else:
            print(table.to_string())


class Learner:
    """Model + data + loss + optimizer, and the loop that trains them.

    `opt_func(params, lr=...)` builds the optimizer; any torch.optim.Optimizer class
    works, and the default is the package's own SGD (book/04_optimizers.ipynb).
    `metrics` are functions `(preds, targets) -> scalar` averaged over the validation set.

    Anything beyond the plain loop comes in as a callback in `cbs`: weight decay, for
    instance, is `cbs=[lesson5.weight_decay.WeightDecay(wd)]` (book/05_weight_decay.ipynb).

    `progress=False` leaves out the epoch table and progress bar (`ProgressTable`), for code
    that runs many fits and reports its own summary.
    """

    def __init__(
        self,
        model,
        dls,
        loss_func,
        lr=0.1,
        opt_func=None,
        metrics=(),
        cbs=(),
        device=None,
        progress=True,
    ):
        if not isinstance(dls, DataLoaders):
            raise TypeError("dls must be a lesson5.loaders.DataLoaders (DataLoaders.from_tensors builds one)")
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model.to(self.device)
        self.dls, self.loss_func, self.lr = dls, loss_func, lr
        if opt_func is None:
            from .optim import SGD

            opt_func = SGD
        if isinstance(opt_func, torch.optim.Optimizer):
            raise TypeError(f"opt_func is the optimizer's class, which the learner builds over the model's "
                            f"parameters, not an optimizer: opt_func={type(opt_func).__name__}")
        self.opt_func = opt_func
        if callable(metrics):
            raise TypeError(f"metrics is a list of functions: metrics=[{getattr(metrics, '__name__', 'metric')}]")
        self.metrics = list(metrics)
        # The table keys each metric's column by its name: a lambda or a partial has none.
        names = [getattr(m, "__name__", None) for m in self.metrics]
        if None in names or "<lambda>" in names or len(set(names)) != len(names):
            raise ValueError(f"each metric needs a name of its own for its column, got {names}: "
                             "define each with def")
        # The recorder's own columns: a metric of the same name would overwrite one silently.
        taken = sorted(set(names) & set(Recorder.COLUMNS))
        if taken:
            raise ValueError(f"the metric names {taken} are the table's own columns: rename the function")
        self.recorder = Recorder()
        self.cbs = [self.recorder, *([ProgressTable()] if progress else []), *_callbacks(cbs)]
        self.opt = None
        self.training = False

    def create_opt(self, params=None):
        """Builds the optimizer over `params` (default: all model parameters) at `self.lr`.

        Parameters frozen later keep `grad=None`, which every optimizer skips.
        """
        self.opt = self.opt_func(self.model.parameters() if params is None else params, lr=self.lr)
        return self.opt

    def _event(self, name, cbs):
        for cb in cbs:
            method = getattr(cb, name, None)
            if method is not None:
                method(self)

    def _one_batch(self, cbs):
        if not isinstance(self.batch, (tuple, list)) or len(self.batch) != 2:
            got = f"{len(self.batch)} items" if isinstance(self.batch, (tuple, list)) else type(self.batch).__name__
            raise ValueError(f"each batch must be a pair (inputs, targets), got {got}: make the loaders from "
                             "two tensors, as DataLoaders.from_tensors(x, y, ...) does")
        self.xb, self.yb = (t.to(self.device, non_blocking=True) for t in self.batch)
        try:
            self._event("before_batch", cbs)
            self.preds = self.model(self.xb)
            self.loss = self.loss_func(self.preds, self.yb)
            if self.loss.ndim != 0:
                raise ValueError(f"the loss function gave shape {tuple(self.loss.shape)} for a batch; the learner "
                                 "needs one number per batch: average it (reduction='mean', torch's default)")
            self._event("after_loss", cbs)
            if self.training:
                self.loss.backward()
                self._event("before_step", cbs)
                self.opt.step()
                self._event("after_step", cbs)
            self._event("after_batch", cbs)
        except CancelBatch:
            pass
        finally:
            # Even a cancelled step must not leave its gradient to be added to the next batch's.
            if self.training:
                self.opt.zero_grad()

    def _one_epoch(self, training, cbs):
        self.training = training
        self.model.train(training)
        dl = self.dls.train if training else self.dls.valid
        self.n_iter = len(dl)
        with torch.set_grad_enabled(training), nullcontext() if training else scoring_kernels():
            for self.iter, self.batch in enumerate(dl):
                self._one_batch(cbs)

    def fit(self, n_epochs, lr=None, cbs=()):
        """Trains for `n_epochs`; `lr` (if given) replaces the learning rate of every group.

        `cbs` are extra callbacks for this fit only. The epoch table is shown at the end;
        `self.recorder` keeps the losses, learning rates and table for plotting.
        """
        if not is_count(n_epochs):
            raise ValueError(f"n_epochs must be a whole number of epochs, 1 or more, got {n_epochs!r}")
        if lr is not None:
            check_hyper("lr", lr)
            self.lr = lr
        if len(self.dls.train) == 0:
            raise ValueError("the training loader gives no batches: check that the training tensors hold "
                             "items (and, with drop_last, at least one whole batch)")
        if self.dls.valid is not None and len(self.dls.valid) == 0:
            # Its losses and metrics would read NaN, as if the model had failed.
            raise ValueError("the validation loader gives no batches: check that the validation tensors hold "
                             "items, or train without a validation set, DataLoaders(train_loader)")
        if self.opt is None:
            self.create_opt()
        if lr is not None:
            for group in self.opt.param_groups:
                group["lr"] = lr
        cbs = sorted([*self.cbs, *_callbacks(cbs)], key=lambda c: c.order)
        self.n_epochs = n_epochs
        started = []
        try:
            for cb in cbs:
                self._event("before_fit", [cb])
                started.append(cb)
            for self.epoch in range(n_epochs):
                try:
                    self._event("before_epoch", cbs)
                    self._one_epoch(True, cbs)
                    if self.dls.valid is not None:
                        self._one_epoch(False, cbs)
                    self._event("after_epoch", cbs)
                except CancelEpoch:
                    pass
            self._event("after_fit", cbs)
        except CancelFit:
            pass
        finally:
            self.training = False
            self._event("cleanup_fit", started)

    def get_preds(self, dl=None):
        """Model outputs and targets over a whole loader (default: the validation set).

        The model is scored as `lesson5.seed.scoring` says: eval mode, no gradients,
        `scoring_kernels`, and then back in the mode it was in. Both come back on the CPU,
        wherever the model and the loader's tensors are.
        """
        # `is None`, not `or`: a loader with no batches is falsy, and must not become the
        # validation set.
        dl = self.dls.valid if dl is None else dl
        if isinstance(dl, torch.Tensor):
            raise TypeError("get_preds takes a loader of (inputs, targets) batches, not a tensor: "
                            "get_preds(DataLoader(x, y))")
        if dl is None:
            raise ValueError("no loader given and the learner has no validation set: "
                             "pass one, as in get_preds(DataLoader(x, y))")
        preds, targets = [], []
        # The model's own device, not the learner's: a chapter may have moved the model since.
        with scoring(self.model) as device:
            for xb, yb in dl:
                preds.append(self.model(xb.to(device)).cpu())
                targets.append(yb.cpu())
        if not preds:
            raise ValueError("the loader gave no batches to score (fewer items than its batch size, "
                             "with drop_last?)")
        return torch.cat(preds), torch.cat(targets)


def _callbacks(cbs):
    """`cbs` as a list, refusing what is not a list of callbacks with what to write instead."""
    if isinstance(cbs, Callback):
        raise TypeError(f"cbs is a list of callbacks: cbs=[{type(cbs).__name__}(...)]")
    cbs = list(cbs)
    for cb in cbs:
        if isinstance(cb, type):
            raise TypeError(f"cbs holds the class {cb.__name__}, not a callback made from it: write {cb.__name__}(...)")
        if not hasattr(cb, "order"):
            raise TypeError(f"cbs holds {cb!r}, which is no callback: callbacks subclass lesson5.learner.Callback")
    return cbs


def accuracy(preds, targets):
    """Fraction of rows whose highest output is the target class."""
    if preds.ndim != 2:
        raise ValueError(f"accuracy needs one row of class scores per item, shape (batch, classes), got "
                         f"{tuple(preds.shape)}: it measures classification; a regression wants a loss such as mse")
    return (preds.argmax(dim=1) == targets).float().mean()
