"""scripts/execute.py starts the chapters that ran longest first, so that no core idles at
the end of a build while one long chapter finishes (issue 21)."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("execute", REPO / "scripts" / "execute.py")
execute = importlib.util.module_from_spec(spec)
spec.loader.exec_module(execute)


def _notebook(path, cell_seconds):
    cells = []
    for seconds in cell_seconds:
        cell = nbformat.v4.new_code_cell("pass")
        if seconds is not None:
            cell.metadata["execution"] = {
                "iopub.execute_input": "2026-12-02T10:00:00.000000Z",
                "shell.execute_reply": f"2026-12-02T10:00:{seconds:09.6f}Z",
            }
        cells.append(cell)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_expected_seconds_add_up_the_cells_recorded_times(tmp_path):
    path = _notebook(tmp_path / "a.ipynb", [1.5, 2.25, None])
    assert execute._expected_seconds(path) == pytest.approx(3.75)


def test_a_chapter_without_recorded_times_expects_none(tmp_path):
    assert execute._expected_seconds(_notebook(tmp_path / "b.ipynb", [None, None])) == 0


def test_the_books_chapters_all_record_their_times():
    # Without them every chapter would expect 0 s and the order would be the TOC's.
    untimed = [path.name for path in execute.chapters() if execute._expected_seconds(path) == 0]
    assert not untimed, (
        f"{untimed} store no cell times: store outputs with `jupyter execute --inplace` "
        "(CONTRIBUTING.md, adding a chapter), which records them"
    )
