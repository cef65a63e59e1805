"""The lesson's collab_filter spreadsheet: a users × movies crosstab fitted by dot products of factors.

Taught in book/06_collab.ipynb. The lesson's sheet asked Excel's Solver for the factors;
`build_collab` does the Solver's job with formulas a reader can follow: a block of cells per
gradient-descent step (movie factors, user factors, predictions, errors, RMSE), each block
computed from the one above it, so the RMSE falls down the sheet without any add-in.
`factor_descent` is the same computation in NumPy, in float64 as a spreadsheet computes.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter

from .sheet import BOLD, Built, header, widths


def crosstab(ratings, n_users=15, n_movies=15):
    """The ratings of the `n_users` users who rated most by the `n_movies` most rated movies:
    a DataFrame indexed by user id, one column per movie id, NaN where a user did not rate."""
    top_users = ratings.user.value_counts().index[:n_users]
    top_movies = ratings.movie.value_counts().index[:n_movies]
    inside = ratings.user.isin(top_users) & ratings.movie.isin(top_movies)
    table = ratings[inside].pivot(index="user", columns="movie", values="rating")
    return table.reindex(index=top_users, columns=top_movies)


@dataclass
class Descent:
    """Per step (index 0 = before any update): the factors used, the predictions
    (user_factors @ movie_factors.T), the errors on the filled cells (0 elsewhere) and the RMSE."""

    user_factors: np.ndarray  # (steps, users, k)
    movie_factors: np.ndarray  # (steps, movies, k)
    predictions: np.ndarray  # (steps, users, movies)
    errors: np.ndarray
    rmse: np.ndarray  # (steps,)


def factor_descent(ratings, user_factors, movie_factors, lr=0.3, steps=500):
    """Gradient descent on the RMSE over the filled cells of `ratings` (a 2-D array, NaN where
    empty), all factors at once, `steps` steps of size `lr`, as book/06_collab.ipynb trains.

    With e the errors and n the number of filled cells, the gradient of √(Σe²/n) is
    (e @ movie_factors) / (n·RMSE) for the user factors and (eᵀ @ user_factors) / (n·RMSE)
    for the movie factors.
    """
    target = np.asarray(ratings, dtype=np.float64)
    # Copies, detached and on the CPU: a chapter's trainable factors (requires_grad, or on a
    # GPU) are read, never trained here.
    u = torch.as_tensor(user_factors).detach().cpu().double().numpy().copy()
    m = torch.as_tensor(movie_factors).detach().cpu().double().numpy().copy()
    if target.shape != (len(u), len(m)) or u.shape[1] != m.shape[1]:
        raise ValueError(f"ratings must be users × movies, {len(u)} × {len(m)}, and both factor matrices must have "
                         f"the same width; got ratings {target.shape}, factors {u.shape} and {m.shape}")
    known = ~np.isnan(target)
    n = known.sum()
    if n == 0:
        raise ValueError("ratings has no filled cell: there is nothing to fit")
    us, ms, ps, es, losses = [], [], [], [], []
    for _ in range(steps):
        p = u @ m.T
        e = np.where(known, p - np.nan_to_num(target), 0.0)
        rmse = np.sqrt((e**2).sum() / n)
        us.append(u), ms.append(m), ps.append(p), es.append(e), losses.append(rmse)
        u, m = u - lr * (e @ m) / (n * rmse), m - lr * (e.T @ u) / (n * rmse)
    return Descent(np.stack(us), np.stack(ms), np.stack(ps), np.stack(es), np.array(losses))


# Where each step's block sits: its movie factors MOVIE_ROW rows below the block's label row
# (the step, and the movies' titles over their columns), its users USER_ROW rows below it, and
# its RMSE in RMSE_COL on its first movie-factor row, where no user factor is.
MOVIE_ROW, USER_ROW = 1, 1 + 5  # k = 5 rows of movie factors, then one row per user
RMSE_COL = 2
FACTOR_COL, PRED_COL = 2, 8  # user factors in B..F, predictions from H
LR_CELL, COUNT_CELL = "$B$3", "$B$4"
FIRST_BLOCK = 7


def _block(col, row, n_cols, n_rows):
    """The A1-style range of n_cols x n_rows cells whose top-left cell is (col, row)."""
    return (f"{get_column_letter(col)}{row}:"
            f"{get_column_letter(col + n_cols - 1)}{row + n_rows - 1}")


def build_collab(table, user_factors, movie_factors, lr=0.3, steps=500, titles=None, source=None):
    """The collab workbook for `table` (a `crosstab`) from the given starting factors.

    Sheets: `ratings` (the crosstab), `descent` (one block per step) and `loss` (the RMSE
    per step, with a chart). `titles` optionally maps a movie id to the name shown; `source`,
    a line naming where the ratings come from and on what terms, is written below them: the
    file travels without the page that credits them.
    """
    fit = factor_descent(table.to_numpy(dtype=np.float64), user_factors, movie_factors, lr, steps)
    n_users, n_movies = table.shape
    k = fit.user_factors.shape[2]
    if k != USER_ROW - MOVIE_ROW:
        raise ValueError(f"the sheet lays out {USER_ROW - MOVIE_ROW} factors per user and movie, got {k}")
    wb = Workbook()
    ws = wb.active
    ws.title = "ratings"
    ws["A1"] = "Ratings of the users who rated most (rows) for the most rated movies (columns)"
    ws["A1"].font = BOLD
    names = [titles[m] if titles is not None else m for m in table.columns]
    header(ws, 2, 2, names)
    ws["A2"] = "user \\ movie"
    for i, (user, row) in enumerate(table.iterrows()):
        ws.cell(row=3 + i, column=1, value=user).font = BOLD
        for j, rating in enumerate(row):
            if not pd.isna(rating):
                ws.cell(row=3 + i, column=2 + j, value=float(rating))
    if source is not None:
        ws.cell(row=4 + n_users, column=1, value=source)
    widths(ws, 15, 2)
    ratings_cell = {(i, j): f"ratings!${get_column_letter(2 + j)}${3 + i}" for i in range(n_users)
                    for j in range(n_movies)}
    ratings_range = f"ratings!$B$3:${get_column_letter(1 + n_movies)}${2 + n_users}"

    ws = wb.create_sheet("descent")
    ws["A1"] = ("Gradient descent on the RMSE, one block per step. Each block's factors are the block above's, "
                "minus the learning rate times the RMSE's gradient.")
    ws["A1"].font = BOLD
    ws["A3"], ws[LR_CELL.replace("$", "")] = "learning rate", lr
    ws["A4"], ws[COUNT_CELL.replace("$", "")] = "ratings known", f"=COUNT({ratings_range})"
    expected = {("descent", COUNT_CELL.replace("$", "")): int((~table.isna()).to_numpy().sum())}
    err_col = PRED_COL + n_movies + 1
    height = USER_ROW + n_users + 1
    rmse_cells = []
    for s in range(steps):
        top = FIRST_BLOCK + s * height
        mrow, urow = top + MOVIE_ROW, top + USER_ROW
        prev_top = top - height
        prev_rmse = f"${get_column_letter(RMSE_COL)}${prev_top + MOVIE_ROW}"
        ws.cell(row=top, column=1, value=f"step {s}").font = BOLD
        # Each movie's title over its column of factors and predictions, and of errors.
        for first in (PRED_COL, err_col):
            header(ws, top, first, names)
        ws.cell(row=mrow, column=err_col, value="errors on the rated cells (below)").font = BOLD
        ws.cell(row=urow, column=PRED_COL - 1, value="predictions").font = BOLD
        ws.cell(row=mrow, column=1, value="RMSE").font = BOLD
        rmse_ref = f"{get_column_letter(RMSE_COL)}{mrow}"
        rmse_cells.append(rmse_ref)
        ws[rmse_ref] = (f"=SQRT(SUMSQ({get_column_letter(err_col)}{urow}:{get_column_letter(err_col + n_movies - 1)}"
                        f"{urow + n_users - 1})/{COUNT_CELL})")
        expected[("descent", rmse_ref)] = fit.rmse[s]
        for c in range(k):
            ws.cell(row=mrow + c, column=PRED_COL - 1, value=f"movie factor {c + 1}")
            ws.cell(row=urow - 1, column=FACTOR_COL + c, value=f"factor {c + 1}")
        for c in range(k):
            for j in range(n_movies):
                cell = f"{get_column_letter(PRED_COL + j)}{mrow + c}"
                if s == 0:
                    ws[cell] = float(fit.movie_factors[0, j, c])
                    continue
                # Movie j's factor c moves against Σ_users error · user factor c.
                errs = _block(err_col + j, prev_top + USER_ROW, 1, n_users)
                users = _block(FACTOR_COL + c, prev_top + USER_ROW, 1, n_users)
                ws[cell] = (f"={get_column_letter(PRED_COL + j)}{prev_top + MOVIE_ROW + c}-{LR_CELL}"
                            f"*SUMPRODUCT({errs},{users})/({COUNT_CELL}*{prev_rmse})")
                expected[("descent", cell)] = fit.movie_factors[s, j, c]
        for i in range(n_users):
            r = urow + i
            ws.cell(row=r, column=1, value=f"user {table.index[i]}")
            for c in range(k):
                cell = f"{get_column_letter(FACTOR_COL + c)}{r}"
                if s == 0:
                    ws[cell] = float(fit.user_factors[0, i, c])
                    continue
                # User i's factor c moves against Σ_movies error · movie factor c.
                errs = _block(err_col, prev_top + USER_ROW + i, n_movies, 1)
                movies = _block(PRED_COL, prev_top + MOVIE_ROW + c, n_movies, 1)
                ws[cell] = (f"={get_column_letter(FACTOR_COL + c)}{prev_top + USER_ROW + i}-{LR_CELL}"
                            f"*SUMPRODUCT({errs},{movies})/({COUNT_CELL}*{prev_rmse})")
                expected[("descent", cell)] = fit.user_factors[s, i, c]
            for j in range(n_movies):
                pred = f"{get_column_letter(PRED_COL + j)}{r}"
                col = get_column_letter(PRED_COL + j)
                ws[pred] = (f"=MMULT($B{r}:${get_column_letter(FACTOR_COL + k - 1)}{r},"
                            f"{col}${mrow}:{col}${mrow + k - 1})")
                err = f"{get_column_letter(err_col + j)}{r}"
                ws[err] = f"=IF(ISNUMBER({ratings_cell[i, j]}),{pred}-{ratings_cell[i, j]},0)"
                expected[("descent", pred)] = fit.predictions[s, i, j]
                expected[("descent", err)] = fit.errors[s, i, j]
    widths(ws, 9, 2)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions[get_column_letter(PRED_COL - 1)].width = 14

    ws = wb.create_sheet("loss")
    ws["A1"] = "The RMSE of each step's block on the descent sheet"
    ws["A1"].font = BOLD
    header(ws, 2, 1, ["step", "RMSE"])
    for s, ref in enumerate(rmse_cells):
        ws.cell(row=3 + s, column=1, value=s)
        ws.cell(row=3 + s, column=2, value=f"=descent!{ref}")
        expected[("loss", f"B{3 + s}")] = fit.rmse[s]
    chart = LineChart()
    chart.title = "RMSE on the rated cells, per gradient-descent step"
    chart.y_axis.title, chart.x_axis.title = "RMSE", "step"
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=2 + steps), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + steps))
    chart.legend = None
    ws.add_chart(chart, "D2")
    return Built(wb, expected)


def rmse_per_step(values, steps):
    """The RMSE of the first `steps` steps, read from the `loss` sheet in `values` (a dict keyed
    by (sheet, cell), as `Built.expected` or `calc.Recalculated.values`)."""
    return pd.Series([values.get(("loss", f"B{3 + s}")) for s in range(steps)],
                     index=pd.RangeIndex(steps, name="step"), name="RMSE")
