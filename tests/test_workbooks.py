"""The lesson's spreadsheets as workbooks (lesson5.workbooks): the package's computations, the
formulas written for them, and LibreOffice Calc recalculating those formulas to the same values.

The LibreOffice tests skip when `soffice` is missing, unless CI is set: there they fail.
`bash scripts/install-libreoffice.sh` installs it.
"""

import datetime
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from lesson5.optim import Adam, RMSprop
from lesson5.workbooks import calc
from lesson5.workbooks.collab import build_collab, crosstab, factor_descent, rmse_per_step
from lesson5.workbooks.entropy import binary_rows, build_entropy, image_rows, softmax_rows
from lesson5.workbooks.graddesc import (
    CHAPTER_SHEETS,
    LR_CELL,
    build_graddesc,
    fit_line,
    line_points,
    sheet_epochs,
    sheet_steps,
)
from lesson5.workbooks.sheet import Built

REL = 1e-9
EPOCHS = 10  # the chapter fits 60; 10 keep every formula and the test quick
CLASSES = ["cat", "dog", "plane", "fish", "building"]
SOURCE = "Ratings made up by the tests, free to share"


def small_crosstab(seed=0):
    rng = np.random.default_rng(seed)
    table = rng.integers(1, 11, size=(15, 15)) / 2.0
    table[rng.random((15, 15)) < 0.4] = np.nan
    return pd.DataFrame(table, index=range(101, 116), columns=range(201, 216))


def build_all():
    gen = torch.Generator().manual_seed(3)
    return {
        "graddesc": build_graddesc(line_points()[0], epochs=EPOCHS),
        "collab": build_collab(small_crosstab(), torch.rand(15, 5, generator=gen), torch.rand(15, 5, generator=gen),
                               steps=30, source=SOURCE),
        "entropy": build_entropy([[3.85, 2.97, 1.8, -4.21, -1.52], [0.5, -1.25, 2.0, 0.0, 1.0]], [0, 3], CLASSES,
                                 [-2.3, 4.06, 0.84, -0.98], [0, 0, 1, 1]),
    }


# --- the package's computations ---------------------------------------------------------------


def test_crosstab_orders_users_and_movies_by_count_and_keeps_a_user_with_no_top_movie():
    ratings = pd.DataFrame({"user": [2, 2, 2, 1, 1, 3, 3], "movie": [10, 20, 30, 10, 20, 40, 50],
                            "rating": [5.0, 4, 3, 2, 1, 4, 4]})
    table = crosstab(ratings, n_users=3, n_movies=2)
    # User 2 rated most; user 3 rated none of the two most rated movies: a row of NaN.
    assert list(table.index) == [2, 1, 3] and list(table.columns) == [10, 20]
    assert table.loc[3].isna().all() and table.loc[2].tolist() == [5.0, 4.0]


@pytest.mark.parametrize("rule, opt", [("adam", Adam), ("rmsprop", RMSprop)])
def test_fit_line_steps_as_the_package_optimizers_do(rule, opt):
    xs, ys = line_points(n=12)
    fit = fit_line(xs, ys, rule, 0.1, epochs=3, beta1=0.9, beta2=0.99, eps=1e-8)
    params = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    kwargs = {"betas": (0.9, 0.99)} if rule == "adam" else {"alpha": 0.99}
    optimizer = opt([params], lr=0.1, eps=1e-8, **kwargs)
    for x, y in zip(xs * 3, ys * 3):
        optimizer.zero_grad()
        ((params[0] * x + params[1] - y) ** 2).backward()
        optimizer.step()
    np.testing.assert_allclose(params.detach().numpy(), fit.steps[["new_a", "new_b"]].iloc[-1], rtol=1e-12)
    assert fit.steps.new_a.iloc[-1] != fit.steps.a.iloc[0]


def test_fit_line_momentum_averages_and_annealing_ends_near_lr_over_100():
    xs, ys = line_points(n=5)
    fit = fit_line(xs, ys, "momentum", 1e-4, epochs=2, beta1=0.9)
    m = fit.steps.m_a.to_numpy()
    np.testing.assert_allclose(m[1:], 0.9 * m[:-1] + 0.1 * fit.steps.grad_a.to_numpy()[1:], rtol=1e-13)
    annealed = fit_line(xs, ys, "adam", 1.0, epochs=4, anneal=True).steps.lr_t
    assert annealed.iloc[0] == pytest.approx(1.0, rel=0.01)
    assert annealed.iloc[-1] == pytest.approx(0.01)
    assert annealed.is_monotonic_decreasing


def test_fit_line_without_bias_correction_is_the_lesson_sheets_adam():
    xs, ys = line_points(n=6)
    steps = fit_line(xs, ys, "adam", 0.1, epochs=2, beta2=0.9, eps=0.0, bias_correction=False).steps
    # The two averages recomputed from the gradient column, from m = v = 0, then the update.
    m = v = 0.0
    for step in steps.itertuples():
        m, v = 0.9 * m + 0.1 * step.grad_a, 0.9 * v + 0.1 * step.grad_a**2
        assert (step.m_a, step.v_a) == pytest.approx((m, v), rel=1e-13)
        assert step.new_a == pytest.approx(step.a - 0.1 * m / np.sqrt(v), rel=1e-14)
    corrected = fit_line(xs, ys, "adam", 0.1, epochs=2, beta2=0.9, eps=0.0).steps
    assert abs(corrected.new_a.iloc[-1] - steps.new_a.iloc[-1]) > 1e-3


def test_fit_line_epoch_mse_is_that_of_the_last_step_of_each_epoch():
    xs, ys = line_points(n=7)
    fit = fit_line(xs, ys, "sgd", 1e-4, epochs=3)
    last = fit.steps.groupby("epoch").last()
    for end in fit.epochs.itertuples():
        assert (end.a, end.b) == (last.new_a[end.epoch], last.new_b[end.epoch])
        assert end.mse == pytest.approx(np.mean([(end.a * x + end.b - y) ** 2 for x, y in zip(xs, ys)]), rel=1e-14)


def test_factor_descent_reads_trainable_factors_without_touching_them():
    # As book/06_collab.ipynb makes them: float32, requiring gradients.
    table = small_crosstab().to_numpy()
    gen = torch.Generator().manual_seed(1)
    u0 = torch.rand(15, 5, generator=gen).requires_grad_()
    m0 = torch.rand(15, 5, generator=gen).requires_grad_()
    before = u0.detach().clone()
    fit = factor_descent(table, u0, m0, lr=0.3, steps=3)
    plain = factor_descent(table, u0.detach().double(), m0.detach().double(), lr=0.3, steps=3)
    assert fit.rmse == pytest.approx(plain.rmse, rel=1e-12)
    assert torch.equal(u0.detach(), before) and u0.grad is None


def test_factor_descent_follows_the_autograd_gradient_of_the_rmse():
    table = small_crosstab().to_numpy()
    gen = torch.Generator().manual_seed(1)
    u0 = torch.rand(15, 5, generator=gen, dtype=torch.float64)
    m0 = torch.rand(15, 5, generator=gen, dtype=torch.float64)
    fit = factor_descent(table, u0, m0, lr=0.3, steps=20)
    u, m = u0.clone().requires_grad_(), m0.clone().requires_grad_()
    target = torch.tensor(table)
    known = ~target.isnan()
    for step in range(20):
        loss = ((u @ m.T - target.nan_to_num())[known] ** 2).mean().sqrt()
        assert fit.rmse[step] == pytest.approx(loss.item(), rel=1e-12)
        loss.backward()
        with torch.no_grad():
            for factors in (u, m):
                factors -= 0.3 * factors.grad
                factors.grad.zero_()
    assert fit.rmse[-1] < 0.9 * fit.rmse[0]


def test_crosstab_picks_the_most_active_users_and_most_rated_movies():
    ratings = pd.DataFrame({"user": [1, 1, 1, 2, 2, 3], "movie": [10, 20, 30, 10, 20, 10],
                            "rating": [5.0, 4.0, 3.0, 2.0, 1.0, 4.5]})
    table = crosstab(ratings, n_users=2, n_movies=2)
    assert list(table.index) == [1, 2] and list(table.columns) == [10, 20]
    assert table.loc[2, 20] == 1.0


def test_softmax_and_binary_rows_match_torch():
    acts = torch.tensor([1.5, -0.25, 3.0, 0.0, -2.0], dtype=torch.float64)
    rows = softmax_rows(acts.numpy(), 2, CLASSES)
    np.testing.assert_allclose(rows.softmax, torch.softmax(acts, 0), rtol=1e-14)
    assert rows["-target*ln(softmax)"].sum() == pytest.approx(F.cross_entropy(acts[None], torch.tensor([2])).item())
    z, y = torch.tensor([-3.0, 0.5, 2.0], dtype=torch.float64), torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    binary = binary_rows(z.numpy(), y.numpy())
    np.testing.assert_allclose(binary.bce, F.binary_cross_entropy_with_logits(z, y, reduction="none"), rtol=1e-12)
    np.testing.assert_allclose(binary.bce_log10, binary.bce / math.log(10), rtol=1e-14)


def test_bad_input_gets_a_clear_error():
    xs, ys = line_points(n=3)
    with pytest.raises(ValueError, match="rule must be one of"):
        fit_line(xs, ys, "adagrad", 0.1)
    with pytest.raises(ValueError, match="sheets that do not exist"):
        build_graddesc(xs, lrs={"Adamw": 0.1})
    with pytest.raises(ValueError, match="users × movies"):
        factor_descent(np.ones((3, 4)), np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="one activation per class"):
        softmax_rows([1.0, 2.0], 0, CLASSES)
    with pytest.raises(ValueError, match="a target in"):
        softmax_rows(np.zeros(len(CLASSES)), len(CLASSES), CLASSES)
    with pytest.raises(ValueError, match="0/1 label"):
        binary_rows([0.5], [2])


def test_a_wrong_cell_whose_expected_value_is_zero_counts_by_its_absolute_difference(monkeypatch):
    built = Built(workbook=None, expected={("s", "A1"): 0.0, ("s", "A2"): 2.0, ("s", "A3"): 1.0})
    monkeypatch.setattr(calc, "computed", lambda path, cells: {("s", "A1"): 5.0, ("s", "A2"): 3.0,
                                                               ("s", "A3"): "#VALUE!"})
    assert calc.differences(built, "unused.xlsx").relative.tolist() == [5.0, 0.5, math.inf]


def _fake_soffice(tmp_path, monkeypatch, body="exit 0\n"):
    """A LibreOffice that runs the shell script `body`; by default it writes nothing, and
    recalculate must not take anything else for its result."""
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\n{body}")
    fake.chmod(0o755)
    monkeypatch.setattr(calc, "soffice", lambda: str(fake))


def test_recalculate_refuses_outputs_that_would_collide_or_overwrite(monkeypatch, tmp_path):
    _fake_soffice(tmp_path, monkeypatch)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    with pytest.raises(ValueError, match="names must differ"):
        calc.recalculate([tmp_path / "a" / "x.xlsx", tmp_path / "b" / "x.xlsx"], tmp_path / "out")
    with pytest.raises(ValueError, match="holds an input file"):
        calc.recalculate([tmp_path / "a" / "x.xlsx"], tmp_path / "a")


def test_a_stale_result_is_never_read_back_as_libreoffices(monkeypatch, tmp_path):
    _fake_soffice(tmp_path, monkeypatch)
    (tmp_path / "in").mkdir(), (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.xlsx").write_text("left by an earlier run")
    with pytest.raises(RuntimeError, match="did not convert"):
        calc.recalculate([tmp_path / "in" / "x.xlsx"], tmp_path / "out")


def test_a_libreoffice_that_writes_its_result_but_fails_is_not_believed(monkeypatch, tmp_path):
    _fake_soffice(tmp_path, monkeypatch, 'while [ $# -gt 0 ]; do\n  case "$1" in --outdir) out="$2"; shift;; '
                  '*.xlsx) name=$(basename "$1");; esac\n  shift\ndone\n'
                  'echo half-written > "$out/$name"\nexit 1\n')
    (tmp_path / "in").mkdir()
    with pytest.raises(RuntimeError, match=r"did not convert .*\(exit 1\)"):
        calc.recalculate([tmp_path / "in" / "x.xlsx"], tmp_path / "out")


def test_the_reported_difference_is_the_largest_cells(monkeypatch, tmp_path):
    # The chapters print it as "the largest difference from the package's values".
    _fake_soffice(tmp_path, monkeypatch, "echo LibreOffice 24.2\n")
    monkeypatch.setattr(calc, "recalculate", lambda paths, out: [Path(out, "x.xlsx")])
    table = pd.DataFrame({"sheet": ["s"] * 3, "cell": ["A1", "A2", "A3"], "computed": [1.0, 2.0, 3.0],
                          "relative": [0.0, 1e-12, 3e-10]})
    monkeypatch.setattr(calc, "differences", lambda built, path: table)
    built = build_entropy([[1.0, 2.0, 0.5, 0.0, -1.0]], [1], CLASSES, [0.3], [1])
    result = calc.save_and_recalculate(built, tmp_path / "entropy.xlsx")
    assert result.program == "LibreOffice 24.2" and result.worst == 3e-10


def test_recalculate_without_libreoffice_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(calc.LibreOfficeMissing, match="install-libreoffice.sh"):
        calc.recalculate([tmp_path / "x.xlsx"], tmp_path / "out")


def test_without_libreoffice_the_chapters_show_the_packages_values_and_say_so(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    built = build_entropy([[1.0, 2.0, 0.5, 0.0, -1.0]], [1], CLASSES, [0.3], [1])
    result = calc.save_and_recalculate(built, tmp_path / "entropy.xlsx")
    assert (result.program, result.values) == (None, built.expected)
    assert "not installed" in str(result) and "install-libreoffice.sh" in str(result)
    assert max(len(line) for line in str(result).splitlines()) <= 80  # the book's column
    assert (tmp_path / "entropy.xlsx").exists()


def test_a_libreoffice_that_fails_leaves_the_chapter_on_the_packages_values_and_says_so(monkeypatch, tmp_path):
    # A learner's broken (or confined) LibreOffice must not stop the chapter.
    _fake_soffice(tmp_path, monkeypatch, "[ \"$1\" = --version ] && echo 'LibreOffice 24.2' && exit 0\nexit 1\n")
    built = build_entropy([[1.0, 2.0, 0.5, 0.0, -1.0]], [1], CLASSES, [0.3], [1])
    # The build and the tests run with progress off: there the failure must stop the run, so
    # that the site never shows the fallback.
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    with pytest.raises(RuntimeError, match="did not convert"):
        calc.save_and_recalculate(built, tmp_path / "book" / "entropy.xlsx")
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    result = calc.save_and_recalculate(built, tmp_path / "book" / "entropy.xlsx")
    assert (result.program, result.values) == (None, built.expected)
    assert "installed here but could not recalculate" in str(result) and "did not convert" in str(result)
    assert max(len(line) for line in str(result).splitlines()) <= 80
    # Its scratch folders, made beside the workbook, are gone.
    assert sorted(p.name for p in (tmp_path / "book").iterdir()) == ["entropy.xlsx"]


# --- the workbooks as files -------------------------------------------------------------------


def test_readers_find_the_rows_where_the_writers_put_them():
    built = build_all()
    xs, ys = line_points()
    for title, (rule, anneal, lr) in CHAPTER_SHEETS.items():
        fit = fit_line(xs, ys, rule, lr, epochs=EPOCHS, anneal=anneal)
        steps = sheet_steps(built["graddesc"].expected, title, 4)
        pd.testing.assert_frame_equal(steps, fit.steps[steps.columns].head(4).set_axis(steps.index))
        np.testing.assert_array_equal(sheet_epochs(built["graddesc"].expected, title, EPOCHS), fit.epochs.mse)
    gen = torch.Generator().manual_seed(3)
    u0, m0 = torch.rand(15, 5, generator=gen), torch.rand(15, 5, generator=gen)
    fit = factor_descent(small_crosstab().to_numpy(), u0, m0, steps=30)
    np.testing.assert_array_equal(rmse_per_step(built["collab"].expected, 30), fit.rmse)
    rows = image_rows(built["entropy"].expected, 1, CLASSES)
    pd.testing.assert_frame_equal(rows, softmax_rows([0.5, -1.25, 2.0, 0.0, 1.0], 3, CLASSES)[rows.columns])


@pytest.mark.parametrize("rows", [{}, {"first": [(3, [(1, 7)])]}], ids=["openpyxl's", "with rows"])
def test_a_saved_workbook_replaces_the_file_whole_never_writing_it_in_place(tmp_path, rows):
    # Written in place, a full disk left a broken .xlsx beside the chapter, for the site to
    # offer; and a reader that opened the old one read part of each.
    wb = openpyxl.Workbook()
    wb.active.title = "first"
    wb["first"]["A1"] = "old"
    path = Built(wb, {}, rows).save(tmp_path / "book.xlsx")
    old = path.read_bytes()
    wb["first"]["A1"] = "new"
    with open(path, "rb") as reader:
        Built(wb, {}, rows).save(path)
        assert reader.read() == old
    assert openpyxl.load_workbook(path)["first"]["A1"].value == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


@pytest.mark.parametrize("rows", [{}, {"first": [(3, [(1, 7)])]}], ids=["openpyxl's", "with rows"])
def test_a_workbook_saves_to_the_same_bytes_whenever_it_is_saved(tmp_path, rows):
    # scripts/execute.py runs a cached chapter again when the file it wrote has changed: a
    # time stamped in the file would make every run of the chapter look like a change.
    def saved(name, created):
        wb = openpyxl.Workbook()
        wb.properties.created = created
        wb.active.title = "first"
        wb["first"]["A1"] = "same"
        return Built(wb, {}, rows).save(tmp_path / name)

    first = saved("first.xlsx", datetime.datetime(2026, 1, 1))
    second = saved("second.xlsx", datetime.datetime(2026, 6, 1, 12, 30))
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert "dcterms:" not in archive.read("docProps/core.xml").decode()
    assert openpyxl.load_workbook(first)["first"]["A1"].value == "same"


def test_rows_written_as_xml_read_back_as_if_openpyxl_had_written_them(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "first"
    wb["first"]["A1"] = "title"
    second = wb.create_sheet("second")
    second["B2"] = 5
    built = Built(wb, {}, {"second": [(3, [(1, 7), (3, "=A3*B2")]), (5, [(28, 0.1)])]})
    path = built.save(tmp_path / "rows.xlsx")
    ws = openpyxl.load_workbook(path)["second"]
    assert (ws["B2"].value, ws["A3"].value, ws["C3"].value, ws["AB5"].value) == (5, 7, "=A3*B2", 0.1)
    # The used range a reader is told of takes in the new rows (read-only mode reads it from the file).
    assert openpyxl.load_workbook(path, read_only=True)["second"].calculate_dimension() == "A2:AB5"
    assert openpyxl.load_workbook(path, data_only=True)["second"]["C3"].value is None  # no cached result
    assert openpyxl.load_workbook(path)["first"]["A1"].value == "title"


@pytest.mark.parametrize("rows, message", [
    ({"third": [(3, [(1, 1)])]}, "sheets that do not exist"),
    ({"second": [(2, [(1, 1)])]}, "below its last row"),
    ({"second": [(4, [(1, 1)]), (3, [(1, 1)])]}, "increasing order"),
    ({"second": [(3, [(1, "text")])]}, "a finite number or a formula"),
    ({"second": [(3, [(1, float("nan"))])]}, "a finite number or a formula"),
    ({"second": [(3, [(1, float("inf"))])]}, "a finite number or a formula"),
])
def test_rows_that_a_sheet_cannot_hold_get_a_clear_error(tmp_path, rows, message):
    wb = openpyxl.Workbook()
    wb.active.title = "second"
    wb["second"]["B2"] = 5
    with pytest.raises(ValueError, match=message):
        Built(wb, {}, rows).save(tmp_path / "rows.xlsx")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbooks")
    built = build_all()
    paths = {name: b.save(folder / f"{name}.xlsx") for name, b in built.items()}
    return built, paths


def test_the_ratings_sheet_names_its_source_below_the_table(written):
    # A downloaded workbook travels without the page that credits the ratings.
    ratings = openpyxl.load_workbook(written[1]["collab"])["ratings"]
    table = small_crosstab()
    table_end = 2 + len(table)
    assert ratings.cell(row=table_end, column=1).value == table.index[-1]
    assert ratings.cell(row=table_end + 2, column=1).value == SOURCE
    assert ratings.max_row == table_end + 2


def test_the_descent_sheet_labels_each_block_where_its_cells_are(written):
    # The label "predictions" once sat over the movie factors, and no column said its movie.
    from lesson5.workbooks.collab import FIRST_BLOCK, MOVIE_ROW, PRED_COL, RMSE_COL, USER_ROW

    ws = openpyxl.load_workbook(written[1]["collab"])["descent"]
    movies = list(small_crosstab().columns)
    err_col = PRED_COL + len(movies) + 1
    top = FIRST_BLOCK
    assert [ws.cell(row=top, column=PRED_COL + j).value for j in range(len(movies))] == movies
    assert [ws.cell(row=top, column=err_col + j).value for j in range(len(movies))] == movies
    assert ws.cell(row=top + USER_ROW, column=PRED_COL - 1).value == "predictions"
    assert str(ws.cell(row=top + USER_ROW, column=PRED_COL).value).startswith("=MMULT(")
    assert ws.cell(row=top + MOVIE_ROW, column=RMSE_COL - 1).value == "RMSE"
    assert str(ws.cell(row=top + MOVIE_ROW, column=RMSE_COL).value).startswith("=SQRT(")


def test_every_formula_cell_is_checked_and_none_has_a_cached_result(written):
    built, paths = written
    for name, path in paths.items():
        formulas = openpyxl.load_workbook(path)
        cached = openpyxl.load_workbook(path, data_only=True)
        formula_cells = {(ws.title, cell.coordinate) for ws in formulas for row in ws.iter_rows() for cell in row
                         if isinstance(cell.value, str) and cell.value.startswith("=")}
        assert formula_cells == set(built[name].expected), name
        # No stored results: a spreadsheet program has to compute every formula itself.
        assert all(cached[sheet][cell].value is None for sheet, cell in formula_cells), name
        assert formulas.vba_archive is None


# --- recalculated by LibreOffice --------------------------------------------------------------

NEW_LR = 0.5


@pytest.fixture(scope="module")
def recalculated(written, tmp_path_factory):
    if calc.soffice() is None:
        message = f"LibreOffice (soffice) is not installed: {calc.INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the workbook tests must run, but {message}")
        pytest.skip(message)
    paths = written[1]
    # The reader's experiment: open the gradient-descent workbook, change Adam's learning rate.
    edited = openpyxl.load_workbook(paths["graddesc"])
    edited["Adam"][LR_CELL] = NEW_LR
    paths = dict(paths, graddesc_lr=paths["graddesc"].with_name("graddesc_lr.xlsx"))
    edited.save(paths["graddesc_lr"])
    out = calc.recalculate(list(paths.values()), tmp_path_factory.mktemp("recalculated"))
    return dict(zip(paths, out))


@pytest.mark.parametrize("name", ["graddesc", "collab", "entropy"])
def test_libreoffice_computes_every_cell_as_the_package_does(name, written, recalculated):
    diff = calc.differences(written[0][name], recalculated[name])
    worst = diff.nlargest(5, "relative")
    assert (diff.relative <= REL).all(), f"cells off by more than {REL:g} relative:\n{worst}"


def test_save_and_recalculate_reads_back_libreoffices_values(recalculated, tmp_path):
    built = build_all()["entropy"]
    result = calc.save_and_recalculate(built, tmp_path / "sub" / "entropy.xlsx")
    assert result.program.startswith("LibreOffice")
    assert result.values.keys() == built.expected.keys()
    assert 0 <= result.worst <= REL
    assert str(result).startswith(f"{result.program} recalculated all {len(result.values):,} formula cells;")
    assert max(len(line) for line in str(result).splitlines()) <= 80  # the book's column
    assert openpyxl.load_workbook(tmp_path / "sub" / "entropy.xlsx")["softmax"]["C5"].value == "=EXP(B5)"


def test_changing_the_learning_rate_cell_refits_at_that_rate(written, recalculated):
    assert CHAPTER_SHEETS["Adam"][2] != NEW_LR
    expected = build_graddesc(line_points()[0], lrs={"Adam": NEW_LR}, epochs=EPOCHS)
    diff = calc.differences(expected, recalculated["graddesc_lr"])
    assert (diff.relative <= REL).all(), diff.nlargest(5, "relative")
    # ...and the fit did change: the old rate's final a is not what the sheet now holds.
    old = calc.differences(written[0]["graddesc"], recalculated["graddesc_lr"])
    assert old[old.sheet == "Adam"].relative.max() > 1e-3
