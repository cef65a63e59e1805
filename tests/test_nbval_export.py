"""conftest.py keeps what nbval executed (LESSON5_EXECUTED_DIR), so that the site is built from
the very runs nbval compared (scripts/execute.py --import): every chapter whose cells all passed
is written with this run's outputs, and a chapter with a failing cell is not written at all."""

import os

import nbformat
from nbval_run import run_nbval
from nbval_run import write_notebook as _notebook

from lesson5.glue import glue_output
from scripts.toc import ROOT


def _glued(path, name, tags=()):
    """A notebook of one cell that glues 3 as `glued`, stored as having glued it as `name`."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("from lesson5 import glue\nglue('glued', 3);", execution_count=1,
                                     metadata={"tags": list(tags)})
    data, metadata = glue_output(name, "3")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def test_a_passing_notebook_is_kept_with_its_run_and_a_failing_one_is_not(tmp_path):
    # A value ending in ';' shows nothing, as in a chapter's plotting lines, so it stores nothing.
    good = _notebook(tmp_path / "good.ipynb", [("print('one')", "one\n"), ("1 + 1;", None),
                                               ("print('three')", "three\n")])
    bad = _notebook(tmp_path / "bad.ipynb", [("print('right')", "right\n"), ("print(4)", "5\n")])
    # The same value under another name: nbval leaves glue names out of its comparison, and
    # conftest.py adds them, even where the outputs themselves are not compared.
    glued = _glued(tmp_path / "glued.ipynb", "glued")
    renamed = _glued(tmp_path / "renamed.ipynb", "old_name", tags=["nbval-ignore-output"])
    executed = tmp_path / "executed"
    # An earlier run's copies of two of them, which passed then: the failing ones' must go.
    executed.mkdir()
    for earlier in (bad, renamed):
        (executed / earlier.name).write_bytes(earlier.read_bytes())
    env = {**os.environ, "LESSON5_EXECUTED_DIR": str(executed)}
    out = run_nbval([good, bad, glued, renamed], env, "-p", "no:xdist")
    # Every cell but the bad notebook's second and the renamed glue passes.
    assert "2 failed, 5 passed" in out, out[-3000:]
    assert "the cell glues ['glued'], its stored outputs ['old_name']: re-execute the chapter" in out

    assert sorted(p.name for p in executed.iterdir()) == ["glued.ipynb", "good.ipynb"]
    kept = nbformat.read(executed / "good.ipynb", as_version=4)
    assert [[o.get("text") for o in c.outputs] for c in kept.cells] == [["one\n"], [], ["three\n"]]
    assert [c.execution_count for c in kept.cells] == [1, 2, 3]
    assert kept.metadata["lesson5_execution_seconds"] > 0


def test_without_the_variable_nothing_is_written(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", [("print('one')", "one\n")])
    env = {k: v for k, v in os.environ.items() if k != "LESSON5_EXECUTED_DIR"}
    out = run_nbval(good, env, "-p", "no:xdist")
    assert "1 passed" in out, out[-3000:]
    # Neither beside the notebook nor where the variable would point, in the repository where
    # nbval runs. (No walk of _build: test.sh builds the site there meanwhile.)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.ipynb"]
    assert not (ROOT / "good.ipynb").exists()
    assert not (ROOT / "_build" / "nbval-executed" / "good.ipynb").exists()
