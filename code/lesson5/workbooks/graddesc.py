"""The lesson's graddesc spreadsheet: y = a·x + b fitted one point per step, by four update rules.

Taught in book/04_optimizers.ipynb. `fit_line` is that chapter's computation, step by step;
`build_graddesc` lays the same steps out as rows of formulas, one sheet per rule (Adam's twice,
the second annealed), with the learning rate and the betas in cells at the top, every epoch
down the sheet (what the lesson's macro did by copying a and b back to the top), and a chart of
the loss per epoch.
"""

import math
from dataclasses import dataclass

import pandas as pd
import torch
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter

from ..schedule import cos_anneal
from .sheet import BOLD, Built, header, widths

SLOPE, INTERCEPT = 2.0, 30.0
RULES = ("sgd", "momentum", "rmsprop", "adam")
# Sheet title: (rule, anneal, the chapter's learning rate).
CHAPTER_SHEETS = {
    "SGD": ("sgd", False, 1e-4),
    "momentum": ("momentum", False, 1e-4),
    "RMSProp": ("rmsprop", False, 0.1),
    "Adam": ("adam", False, 1.0),
    "Adam annealed": ("adam", True, 1.0),
}


def line_points(n=30, seed=0):
    """The chapter's data: `n` integers x drawn from 1..100 with a torch generator seeded by
    `seed`, and y = 2x + 30. Returns (xs, ys), lists of floats."""
    gen = torch.Generator().manual_seed(seed)
    xs = torch.randint(1, 101, (n,), generator=gen).double().tolist()
    return xs, [SLOPE * x + INTERCEPT for x in xs]


@dataclass
class LineFit:
    """One row per step (`steps`) and per epoch (`epochs`: a, b and the MSE after it)."""

    steps: pd.DataFrame
    epochs: pd.DataFrame


def fit_line(xs, ys, rule, lr, epochs=60, anneal=False, beta1=0.9, beta2=0.99, eps=1e-8, start=(1.0, 1.0),
             bias_correction=True):
    """Fits y = a·x + b online, one point per step, with `rule` (sgd, momentum, rmsprop, adam).

    Momentum is the averaged form m = β1·m + (1-β1)·g; RMSProp divides g by √v + eps with
    v = β2·v + (1-β2)·g²; Adam uses both, bias-corrected. With `anneal` the learning rate
    falls from lr to lr/100 along half a cosine over the whole fit. `bias_correction=False`
    (with eps=0 and beta2=0.9) is the lesson's Adam sheet's update rule, from m = v = 0 (the sheet's
    reset macro starts from averages already filled in). Every step's intermediate values
    are kept, in the order a spreadsheet row computes them.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if len(xs) != len(ys) or not xs:
        raise ValueError(f"xs and ys must be non-empty and of equal length, got {len(xs)} and {len(ys)}")
    a, b = start
    m = {"a": 0.0, "b": 0.0}
    v = {"a": 0.0, "b": 0.0}
    n_steps = epochs * len(xs)
    steps, ends = [], []
    t = 0
    for epoch in range(1, epochs + 1):
        for x, y in zip(xs, ys):
            t += 1
            pred = a * x + b
            err = pred - y
            grads = {"a": 2 * err * x, "b": 2 * err}
            step_lr = cos_anneal(lr, lr / 100, t / n_steps) if anneal else lr
            row = {"t": t, "epoch": epoch, "x": x, "y": y, "a": a, "b": b, "pred": pred, "err": err,
                   "grad_a": grads["a"], "grad_b": grads["b"], "lr_t": step_lr}
            new = {}
            for k, g in grads.items():
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v[k] = beta2 * v[k] + (1 - beta2) * g * g
                if rule == "sgd":
                    step = g
                elif rule == "momentum":
                    step = m[k]
                elif rule == "rmsprop":
                    step = g / (math.sqrt(v[k]) + eps)
                elif bias_correction:
                    step = (m[k] / (1 - beta1**t)) / (math.sqrt(v[k] / (1 - beta2**t)) + eps)
                else:
                    step = m[k] / (math.sqrt(v[k]) + eps)
                new[k] = (a if k == "a" else b) - step_lr * step
                row[f"m_{k}"], row[f"v_{k}"] = m[k], v[k]
            a, b = new["a"], new["b"]
            row.update(new_a=a, new_b=b)
            steps.append(row)
        mse = sum((a * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        ends.append({"epoch": epoch, "a": a, "b": b, "mse": mse})
    return LineFit(pd.DataFrame(steps), pd.DataFrame(ends))


HEADERS = {"t": "step", "epoch": "epoch", "x": "x", "y": "y", "a": "a", "b": "b", "pred": "prediction a·x+b",
           "err": "error", "grad_a": "d(error²)/da", "grad_b": "d(error²)/db", "m_a": "m for a", "m_b": "m for b",
           "v_a": "v for a", "v_b": "v for b", "lr_t": "learning rate", "new_a": "new a", "new_b": "new b"}
DESCRIPTIONS = {
    "sgd": "SGD: new = old - lr·gradient",
    "momentum": "Momentum: m = β1·m + (1-β1)·gradient, new = old - lr·m",
    "rmsprop": "RMSProp: v = β2·v + (1-β2)·gradient², new = old - lr·gradient/(√v + eps)",
    "adam": "Adam: m = β1·m + (1-β1)·gradient and v = β2·v + (1-β2)·gradient², each divided by "
            "(1-β^step) (bias correction), "
            "new = old - lr·m̂/(√v̂ + eps)",
}
PARAM_ROW, HEAD_ROW = 3, 13
LR_CELL = f"B{PARAM_ROW}"  # the learning rate comes first on every rule's sheet
DATA_ROW = 5  # first point on the data sheet


def _columns(rule, anneal):
    names = ["t", "epoch", "x", "y", "a", "b", "pred", "err", "grad_a", "grad_b"]
    names += {"sgd": [], "momentum": ["m_a", "m_b"], "rmsprop": ["v_a", "v_b"],
              "adam": ["m_a", "m_b", "v_a", "v_b"]}[rule]
    names += ["lr_t"] if anneal else []
    return names + ["new_a", "new_b"]


def _parameters(rule, anneal):
    names = ["lr"] + (["beta1"] if rule in ("momentum", "adam") else [])
    names += ["beta2", "eps"] if rule in ("rmsprop", "adam") else []
    names += ["final_lr", "n_steps"] if anneal else []
    return names + ["start_a", "start_b"]


PARAM_LABELS = {"lr": "learning rate", "beta1": "β1", "beta2": "β2", "eps": "eps",
                "final_lr": "final learning rate", "n_steps": "steps in the fit",
                "start_a": "a at the start", "start_b": "b at the start"}


def _rule_sheet(ws, rule, anneal, lr, fit, n_points, settings):
    cols = _columns(rule, anneal)
    col = {name: get_column_letter(i + 1) for i, name in enumerate(cols)}
    first, last = HEAD_ROW + 1, HEAD_ROW + len(fit.steps)
    anneal_note = "; the learning rate falls from lr to lr/100 along half a cosine" if anneal else ""
    ws["A1"] = DESCRIPTIONS[rule] + anneal_note
    ws["A1"].font = BOLD
    ws["A2"] = "Change a value in column B and the whole fit below recalculates."
    p = {}
    for i, name in enumerate(_parameters(rule, anneal)):
        row = PARAM_ROW + i
        ws.cell(row=row, column=1, value=PARAM_LABELS[name])
        p[name] = f"$B${row}"
    values = {"lr": lr, "beta1": settings["beta1"], "beta2": settings["beta2"], "eps": settings["eps"],
              "start_a": settings["start"][0], "start_b": settings["start"][1],
              "final_lr": f"={p['lr']}/100", "n_steps": f"=COUNT(A{first}:A{last})"}
    for name, ref in p.items():
        ws[ref.replace("$", "")] = values[name]
    expected = {}
    if anneal:
        expected[p["final_lr"].replace("$", "")] = lr / 100
        expected[p["n_steps"].replace("$", "")] = len(fit.steps)
    header(ws, HEAD_ROW, 1, [HEADERS[c] for c in cols])

    def row_formulas(r):
        """The formulas of step row `r`, by column name."""
        cur = {c: f"{col[c]}{r}" for c in cols}
        prev = {c: f"{col[c]}{r - 1}" for c in cols}
        point = DATA_ROW + (r - first) % n_points
        f = {
            "x": f"=data!$A${point}",
            "y": f"=data!$B${point}",
            "a": f"={p['start_a']}" if r == first else f"={prev['new_a']}",
            "b": f"={p['start_b']}" if r == first else f"={prev['new_b']}",
            "pred": f"={cur['a']}*{cur['x']}+{cur['b']}",
            "err": f"={cur['pred']}-{cur['y']}",
            "grad_a": f"=2*{cur['err']}*{cur['x']}",
            "grad_b": f"=2*{cur['err']}",
        }
        if anneal:
            f["lr_t"] = f"={p['final_lr']}+({p['lr']}-{p['final_lr']})/2*(COS(PI()*({cur['t']}/{p['n_steps']}))+1)"
        lr_cell = cur["lr_t"] if anneal else p["lr"]
        for k in ("a", "b"):
            g = cur["grad_" + k]
            for avg, beta, new_part in (("m_", p.get("beta1"), f"(1-{p.get('beta1')})*{g}"),
                                        ("v_", p.get("beta2"), f"(1-{p.get('beta2')})*{g}*{g}")):
                if avg + k in col:
                    f[avg + k] = f"={new_part}" if r == first else f"={beta}*{prev[avg + k]}+{new_part}"
            m, v = cur.get("m_" + k), cur.get("v_" + k)
            step = {"sgd": g, "momentum": m, "rmsprop": f"({g}/(SQRT({v})+{p.get('eps')}))",
                    "adam": f"(({m}/(1-{p.get('beta1')}^{cur['t']}))/(SQRT({v}/(1-{p.get('beta2')}^{cur['t']}))"
                            f"+{p.get('eps')}))"}[rule]
            f["new_" + k] = f"={cur[k]}-{lr_cell}*{step}"
        return f

    # The step rows, and beside the first of them the epoch table (a and b at the end of each
    # epoch, and the MSE over all points), go into `rows`, which `Built.save` writes as plain XML.
    e0 = len(cols) + 2
    ecol = {name: get_column_letter(e0 + i) for i, name in enumerate(["epoch", "a", "b", "mse"])}
    header(ws, HEAD_ROW, e0, ["epoch", "a after it", "b after it", "MSE after it"])
    xs_range = f"data!$A${DATA_ROW}:$A${DATA_ROW + n_points - 1}"
    ys_range = f"data!$B${DATA_ROW}:$B${DATA_ROW + n_points - 1}"
    formula_cols = cols[2:]
    values = {name: fit.steps[name].tolist() for name in ["t", "epoch", *formula_cols]}
    ends = {name: fit.epochs[name].tolist() for name in ["epoch", "a", "b", "mse"]}
    rows = []
    for i in range(len(fit.steps)):
        r = first + i
        formulas = row_formulas(r)
        cells = [(1, values["t"][i]), (2, values["epoch"][i])]
        for j, name in enumerate(formula_cols, start=3):
            cells.append((j, formulas[name]))
            expected[f"{col[name]}{r}"] = values[name][i]
        if i < len(fit.epochs):
            last_step = first + (i + 1) * n_points - 1
            cells += [(e0, ends["epoch"][i]), (e0 + 1, f"={col['new_a']}{last_step}"),
                      (e0 + 2, f"={col['new_b']}{last_step}"),
                      (e0 + 3, f"=SUMPRODUCT(({ecol['a']}{r}*{xs_range}+{ecol['b']}{r}-{ys_range})^2)"
                               f"/COUNT({xs_range})")]
            expected.update({f"{ecol['a']}{r}": ends["a"][i], f"{ecol['b']}{r}": ends["b"][i],
                             f"{ecol['mse']}{r}": ends["mse"][i]})
        rows.append((r, cells))
    chart = LineChart()
    chart.title = "MSE after each epoch"
    chart.y_axis.title, chart.x_axis.title = "MSE (log scale)", "epoch"
    chart.y_axis.scaling.logBase = 10
    elast = first + len(fit.epochs) - 1
    mse_col = e0 + 3
    chart.add_data(Reference(ws, min_col=mse_col, min_row=HEAD_ROW, max_row=elast), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=e0, min_row=first, max_row=elast))
    chart.legend = None
    ws.add_chart(chart, f"{get_column_letter(e0 + 5)}{HEAD_ROW}")
    widths(ws, 13, 1, e0 + 3)
    ws.column_dimensions["A"].width = 20
    ws.freeze_panes = f"A{first}"
    return {(ws.title, cell): value for cell, value in expected.items()}, rows


def build_graddesc(xs, lrs=None, epochs=60, beta1=0.9, beta2=0.99, eps=1e-8, start=(1.0, 1.0)):
    """The graddesc workbook for the points (x, 2x + 30), x in `xs`: a data sheet and one sheet per rule of
    `CHAPTER_SHEETS`, at the chapter's learning rates unless `lrs` maps a sheet title to another.
    """
    lrs = {title: lr for title, (_, _, lr) in CHAPTER_SHEETS.items()} | (lrs or {})
    unknown = set(lrs) - set(CHAPTER_SHEETS)
    if unknown:
        raise ValueError(f"lrs names sheets that do not exist: {sorted(unknown)}; sheets: {list(CHAPTER_SHEETS)}")
    settings = {"beta1": beta1, "beta2": beta2, "eps": eps, "start": start}
    ys = [SLOPE * x + INTERCEPT for x in xs]
    wb = Workbook()
    data = wb.active
    data.title = "data"
    data["A1"] = "The points every sheet fits, one per step: y = slope·x + intercept"
    data["A1"].font = BOLD
    data["A2"], data["B2"] = "slope", SLOPE
    data["A3"], data["B3"] = "intercept", INTERCEPT
    header(data, 4, 1, ["x", "y"])
    expected = {}
    for i, x in enumerate(xs):
        r = DATA_ROW + i
        data[f"A{r}"] = x
        data[f"B{r}"] = f"=$B$2*A{r}+$B$3"
        expected[("data", f"B{r}")] = ys[i]
    rows = {}
    for title, (rule, anneal, _) in CHAPTER_SHEETS.items():
        fit = fit_line(xs, ys, rule, lrs[title], epochs=epochs, anneal=anneal, **settings)
        cells, rows[title] = _rule_sheet(wb.create_sheet(title), rule, anneal, lrs[title], fit, len(xs), settings)
        expected |= cells
    return Built(wb, expected, rows)


def sheet_steps(values, title, n):
    """The first `n` steps of sheet `title` read from `values` (a dict keyed by (sheet, cell), as
    `Built.expected` or `calc.Recalculated.values`): one row per step, as `fit_line` names them."""
    rule, anneal, _ = CHAPTER_SHEETS[title]
    cols = _columns(rule, anneal)
    rows = [[values.get((title, f"{get_column_letter(i + 1)}{HEAD_ROW + 1 + step}")) for i in range(2, len(cols))]
            for step in range(n)]
    return pd.DataFrame(rows, columns=cols[2:], index=pd.RangeIndex(1, n + 1, name="step"))


def sheet_epochs(values, title, n_epochs):
    """MSE after each of the `n_epochs` epochs of sheet `title`, read from `values`."""
    rule, anneal, _ = CHAPTER_SHEETS[title]
    mse_col = get_column_letter(len(_columns(rule, anneal)) + 5)
    return pd.Series([values.get((title, f"{mse_col}{HEAD_ROW + 1 + e}")) for e in range(n_epochs)],
                     index=pd.RangeIndex(1, n_epochs + 1, name="epoch"), name="MSE")
