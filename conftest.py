"""pytest set-up shared by the unit tests (tests/) and the notebook tests (nbval on book/)."""


def pytest_configure(config):
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
