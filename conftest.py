"""pytest set-up shared by the unit tests (tests/) and the notebook tests (nbval on book/)."""

import os
import time
from pathlib import Path

import nbformat
import pytest

from lesson5.atomic import write_atomically
from lesson5.glue import glued_name
from scripts import encryption, inputs, reference_machine
from scripts.toc import expected_seconds

_runs = {}
# The fingerprint of the package and requirements when this run started (scripts/inputs.py).
_inputs_at_start = None


def pytest_configure(config):
    """Sets up nbval's runs (see the helpers below)."""
    _pin_code_paths(config)
    _without_progress_bars(config)
    _record_inputs(config)
    _keep_collection_order(config)
    _sanitize_from_the_root(config)
    _kernel_as_named(config)
    _execute_with_history()
    _encrypted_kernels()


def _pin_code_paths(config):
    """nbval's kernel (--nbval-current-env, pytest.ini) inherits this process's environment,
    not the kernel spec's: set scripts/env.sh's code paths here, so that the chapters run with
    the arithmetic that stored their outputs whether or not the shell sourced env.sh, and on
    the CPU, where those outputs were computed, even on a machine with a GPU."""
    if getattr(config.option, "nbval", False):
        environ = {**reference_machine.pinned_environ(os.environ), **reference_machine.ON_THE_CPU}
        for name in set(os.environ) - set(environ):
            del os.environ[name]
        os.environ.update(environ)


def _without_progress_bars(config):
    """A chapter's progress bars redraw their display as training goes, which nbval cannot
    compare with the stored outputs (none stored a bar): turn them off for nbval's kernel, as
    the build and test commands do, so that `pytest --nbval` run by hand compares alike."""
    if getattr(config.option, "nbval", False):
        os.environ["LESSON5_PROGRESS"] = "0"


def _record_inputs(config):
    """Notes the inputs the chapters run with, for the notebooks this run keeps (below)."""
    global _inputs_at_start
    if getattr(config.option, "nbval", False) and os.environ.get("LESSON5_EXECUTED_DIR"):
        _inputs_at_start = inputs.fingerprint()


def _keep_collection_order(config):
    """pytest-xdist would hand out the files with the most tests first (its
    --loadscope-reorder, on by default), undoing pytest_collection_modifyitems' order."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _sanitize_from_the_root(config):
    """pytest.ini names tests/nbval_sanitize.cfg from the repository root; this keeps that
    true when pytest runs from another folder (`cd book && pytest --nbval 01_data.ipynb`)."""
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).exists() and (config.rootpath / sanitize).exists():
        config.option.nbval_sanitize_with = str(config.rootpath / sanitize)


def _kernel_as_named(config):
    """pytest.ini runs the chapters in this environment's kernel (--nbval-current-env), and
    nbval prefers that over a kernel named with --nbval-kernel-name without a word; a name
    given on the command line is the one used."""
    if getattr(config.option, "nbval_kernel_name", None):
        config.option.nbval_current_env = False


def _execute_with_history():
    """Makes nbval execute cells the way Jupyter and myst-nb do.

    nbval sends every cell with store_history=False. IPython decides whether a trailing ';'
    silences a cell's result by looking the cell up in its history, so under nbval a cell
    ending in `plot(...);` would show a result that the stored notebook (executed by
    myst-nb, with history) does not have, and the comparison would fail.
    """
    try:
        from nbval.kernel import RunningKernel
    except ImportError:
        return

    def execute_cell_input(self, cell_input, allow_stdin=None):
        return self.kc.execute(cell_input, store_history=True, allow_stdin=allow_stdin, stop_on_error=False)

    RunningKernel.execute_cell_input = execute_cell_input


def _encrypted_kernels():
    """nbval starts its kernels with jupyter_client's defaults, unencrypted, and sends their
    warning that says so to /dev/null: start them encrypted where pyzmq can, as the build's
    executor and JupyterLab do (scripts/encryption.py). The test command's site is built from
    these runs. A kernel that would not start is started once more, as the build's executor
    does (encryption.would_not_start says when)."""
    try:
        from nbval import kernel
    except ImportError:
        return
    start = kernel.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        kwargs["transport_encryption"] = encryption.transport_encryption()
        try:
            return start(*args, **kwargs)
        except RuntimeError as error:
            if not encryption.would_not_start(error):
                raise
            # nbval has shut the failed kernel down; no cell has run.
            return start(*args, **kwargs)

    kernel.start_new_kernel = start_new_kernel


def _is_notebook_cell(item):
    return item.path.suffix == ".ipynb" and hasattr(item, "cell") and hasattr(item, "options")


_arithmetic = set()


def _leave_machine_dependent_outputs(items):
    """On a machine whose arithmetic is not the reference machine's, runs the cells tagged
    machine-dependent without comparing their outputs (scripts/reference_machine.py)."""
    cells = [item for item in items if _is_notebook_cell(item)]
    if not cells:
        return
    _arithmetic.add(reference_machine.describe())
    if reference_machine.compare_tagged_cells():
        return
    for item in cells:
        if reference_machine.TAG in item.cell.get("metadata", {}).get("tags", []):
            item.options["check"] = False


def pytest_collection_modifyitems(items):
    """Runs the notebooks first, the one that ran longest when stored first of all.

    With `-n <cores> --dist loadfile` each notebook goes whole to one process in this order, so
    the long chapters start at once and the short ones fill the cores at the end, instead of
    the longest chapter starting last.
    """
    seconds = {}

    def key(item):
        path = item.path
        if path.suffix != ".ipynb":
            return 0.0
        if path not in seconds:
            seconds[path] = expected_seconds(path)
        return -seconds[path] - 1.0

    items.sort(key=key)
    _leave_machine_dependent_outputs(items)


def _glue_names(outputs):
    """The names a cell's outputs glue, in order: myst-nb finds a glued value by the name in
    the output's metadata, which nbval leaves out of its comparison."""
    return [name for name in map(glued_name, outputs) if name is not None]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """Compares the names a cell glues with the stored ones, which nbval does not (a renamed
    glue with its value unchanged passed, and the prose kept the old name until the site
    build), and keeps what nbval executed, so the site build can reuse it (scripts/execute.py
    --import)."""
    start = time.perf_counter()
    outcome = yield
    if not hasattr(item, "test_outputs"):
        return
    # Compared where the outputs are not (timings, another machine's arithmetic): the names
    # come from the code, and the prose reads them on every machine. test_outputs is None
    # where nbval did not run the cell (a dead kernel, say), which has failed already.
    if outcome.excinfo is None and item.test_outputs is not None:
        ran, stored = _glue_names(item.test_outputs), _glue_names(item.cell.outputs)
        if ran != stored:
            outcome.force_exception(AssertionError(
                f"{item.name}: the cell glues {ran}, its stored outputs {stored}: re-execute the "
                "chapter and store it (CONTRIBUTING.md, step 5)"))
    if not os.environ.get("LESSON5_EXECUTED_DIR"):
        return
    run = _runs.setdefault(str(item.parent.fspath), {"outputs": {}, "failed": False, "seconds": 0.0})
    run["seconds"] += time.perf_counter() - start
    run["failed"] |= outcome.excinfo is not None
    run["outputs"][item.cell_num] = item.test_outputs


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist's, which a run may leave out (-p no:xdist)
def pytest_testnodedown(node, error):
    """pytest-xdist: gathers what each worker found about the machine's arithmetic."""
    _arithmetic.update(getattr(node, "workeroutput", {}).get("lesson5_arithmetic", []))


def pytest_terminal_summary(terminalreporter):
    """Says whether the tagged cells were compared (a header would be hidden by -q)."""
    for line in sorted(_arithmetic):
        terminalreporter.write_line(line)


def pytest_sessionfinish(session):
    """Writes each notebook whose every code cell passed, with the outputs of this run, and
    removes an earlier run's copy of one that did not pass, which scripts/execute.py --import
    would otherwise cache for the site; under pytest-xdist, hands the controller what this
    worker found about the arithmetic."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["lesson5_arithmetic"] = sorted(_arithmetic)
    folder = os.environ.get("LESSON5_EXECUTED_DIR")
    if not folder:
        return
    for path, run in _runs.items():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        target = Path(folder) / Path(path).name
        if run["failed"] or len(run["outputs"]) != len(code):
            target.unlink(missing_ok=True)
            continue
        for number, cell in enumerate(code):
            cell.outputs = [nbformat.from_dict(dict(o)) for o in run["outputs"][number]]
            cell.execution_count = number + 1
        nb.metadata["lesson5_execution_seconds"] = run["seconds"]
        # The inputs as this run started; scripts/execute.py --import skips a run made with others.
        nb.metadata["lesson5_inputs"] = _inputs_at_start
        Path(folder).mkdir(parents=True, exist_ok=True)
        # Whole or not at all: a worker stopped part-way leaves no half-written notebook.
        write_atomically(target, nbformat.writes(nb).encode("utf-8"))
