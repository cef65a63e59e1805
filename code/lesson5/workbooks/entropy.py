"""The lesson's entropy_example spreadsheet: softmax and cross-entropy, column by column.

Taught in book/03_cross_entropy.ipynb. `softmax_rows` and `binary_rows` are the chapter's
spreadsheet chain in float64 (activation → exp → softmax → −target·ln softmax; logit →
sigmoid → binary cross-entropy); `build_entropy` writes the same chain as formulas. Next to
the natural-log binary cross-entropy the sheet keeps the lesson's own formula, which uses
`LOG`: base 10 in a spreadsheet.
"""

import math

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .sheet import BOLD, Built, header, widths


def softmax_rows(activations, target, classes):
    """One image's chain, one row per class: activation, exp, softmax, one-hot target and
    −target·ln(softmax), whose sum is the image's cross-entropy."""
    a = np.asarray(activations, dtype=np.float64)
    if a.shape != (len(classes),) or not 0 <= target < len(classes):
        raise ValueError(f"need one activation per class ({len(classes)}) and a target in 0..{len(classes) - 1}, "
                         f"got {a.shape} activations and target {target}")
    e = np.exp(a)
    p = e / e.sum()
    one_hot = (np.arange(len(classes)) == target).astype(np.float64)
    return pd.DataFrame({"activation": a, "exp": e, "softmax": p, "target": one_hot,
                         "-target*ln(softmax)": -one_hot * np.log(p)}, index=list(classes))


def binary_rows(logits, labels):
    """Per example: logit z, label y (0 or 1), σ(z), the binary cross-entropy
    −[y·ln σ + (1−y)·ln(1−σ)], and the same with base-10 logs as the lesson's sheet had it."""
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    if z.shape != y.shape or z.ndim != 1 or not np.isin(y, (0, 1)).all():
        raise ValueError(f"need one 0/1 label per logit, got logits {z.shape} and labels {y.tolist()}")
    p = 1 / (1 + np.exp(-z))
    return pd.DataFrame({"logit": z, "label": y, "sigmoid": p,
                         "bce": -(y * np.log(p) + (1 - y) * np.log(1 - p)),
                         "bce_log10": -(y * np.log10(p) + (1 - y) * np.log10(1 - p))})


CHAIN = ["activation", "exp", "softmax", "target", "-target*ln(softmax)"]
BINARY_HEADERS = ["logit z", "label y", "σ(z) = 1/(1+exp(-z))", "-(y·ln σ + (1-y)·ln(1-σ))",
                  "the lesson's formula, LOG (base 10)"]


def build_entropy(activations, targets, classes, logits, labels):
    """The entropy workbook: sheet `softmax` has one block per image (the rows of
    `activations`, true class index in `targets`), and a summary of each image's loss and
    their mean; sheet `binary` has one row per (logit, label)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "softmax"
    ws["A1"] = "Softmax and cross-entropy, one block per image: change an activation and its loss follows"
    ws["A1"].font = BOLD
    expected = {}
    n_classes = len(classes)
    col = {name: get_column_letter(2 + i) for i, name in enumerate(CHAIN)}
    top = 3
    losses = []
    for img, (acts, target) in enumerate(zip(activations, targets)):
        rows = softmax_rows(acts, int(target), classes)
        ws.cell(row=top, column=1, value=f"image {img} (actual: {classes[int(target)]})").font = BOLD
        header(ws, top + 1, 1, ["class", *CHAIN])
        first, last = top + 2, top + 1 + n_classes
        for i, cls in enumerate(classes):
            r = first + i
            ws.cell(row=r, column=1, value=cls)
            ws[f"{col['activation']}{r}"] = float(rows.activation.iloc[i])
            ws[f"{col['exp']}{r}"] = f"=EXP({col['activation']}{r})"
            ws[f"{col['softmax']}{r}"] = f"={col['exp']}{r}/{col['exp']}${last + 1}"
            ws[f"{col['target']}{r}"] = int(rows.target.iloc[i])
            ws[f"{col['-target*ln(softmax)']}{r}"] = f"=-{col['target']}{r}*LN({col['softmax']}{r})"
            for name in ("exp", "softmax", "-target*ln(softmax)"):
                expected[("softmax", f"{col[name]}{r}")] = rows[name].iloc[i]
        ws.cell(row=last + 1, column=1, value="sum").font = BOLD
        for name in ("exp", "softmax", "-target*ln(softmax)"):
            ws[f"{col[name]}{last + 1}"] = f"=SUM({col[name]}{first}:{col[name]}{last})"
            expected[("softmax", f"{col[name]}{last + 1}")] = rows[name].sum()
        losses.append((first, last, target, rows["-target*ln(softmax)"].sum()))
        top = last + 3
    header(ws, top, 1, ["image", "actual", "cross-entropy (sum of the last column)",
                        "-ln(softmax of the actual class)"])
    for img, (first, last, target, loss) in enumerate(losses):
        r = top + 1 + img
        ws.cell(row=r, column=1, value=f"image {img}")
        ws.cell(row=r, column=2, value=classes[int(target)])
        ws[f"C{r}"] = f"={col['-target*ln(softmax)']}{last + 1}"
        ws[f"D{r}"] = (f"=-LN(INDEX({col['softmax']}{first}:{col['softmax']}{last},"
                       f"MATCH(B{r},A{first}:A{last},0)))")
        expected[("softmax", f"C{r}")] = expected[("softmax", f"D{r}")] = loss
    mean_row = top + 1 + len(losses)
    ws.cell(row=mean_row, column=1, value="mean: the mini-batch's loss").font = BOLD
    ws[f"C{mean_row}"] = f"=AVERAGE(C{top + 1}:C{mean_row - 1})"
    expected[("softmax", f"C{mean_row}")] = math.fsum(loss for *_, loss in losses) / len(losses)
    widths(ws, 14, 1)
    ws.column_dimensions["A"].width = 26

    ws = wb.create_sheet("binary")
    ws["A1"] = "Binary cross-entropy: one logit per example, σ turns it into the probability of label 1"
    ws["A1"].font = BOLD
    header(ws, 2, 1, BINARY_HEADERS)
    rows = binary_rows(logits, labels)
    for i, row in enumerate(rows.itertuples(index=False)):
        r = 3 + i
        ws[f"A{r}"], ws[f"B{r}"] = float(row.logit), int(row.label)
        ws[f"C{r}"] = f"=1/(1+EXP(-A{r}))"
        ws[f"D{r}"] = f"=-(B{r}*LN(C{r})+(1-B{r})*LN(1-C{r}))"
        ws[f"E{r}"] = f"=-(B{r}*LOG(C{r})+(1-B{r})*LOG(1-C{r}))"
        expected |= {("binary", f"C{r}"): row.sigmoid, ("binary", f"D{r}"): row.bce,
                     ("binary", f"E{r}"): row.bce_log10}
    mean = 3 + len(rows)
    ws.cell(row=mean, column=1, value="mean").font = BOLD
    for c, name in (("D", "bce"), ("E", "bce_log10")):
        ws[f"{c}{mean}"] = f"=AVERAGE({c}3:{c}{mean - 1})"
        expected[("binary", f"{c}{mean}")] = rows[name].mean()
    widths(ws, 22, 1)
    return Built(wb, expected)


def image_rows(values, image, classes):
    """Image number `image`'s block of the `softmax` sheet read from `values` (a dict keyed by
    (sheet, cell), as `Built.expected` or `calc.Recalculated.values`): exp, softmax and
    −target·ln(softmax) per class."""
    first = 3 + image * (len(classes) + 4) + 2
    names = ("exp", "softmax", "-target*ln(softmax)")
    rows = [[values.get(("softmax", f"{get_column_letter(2 + CHAIN.index(name))}{first + i}")) for name in names]
            for i in range(len(classes))]
    return pd.DataFrame(rows, columns=list(names), index=list(classes))
