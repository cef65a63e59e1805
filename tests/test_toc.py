"""The book's pages as scripts/toc.py reads them from _toc.yml, and the order chapters run in:
the site build (scripts/execute.py) and nbval (conftest.py) start the chapters that ran
longest first, so that no core idles at the end while one long chapter finishes (issue 21);
and the kernel nbval runs them in."""

import ast
import functools
import io
import re
import subprocess
import sys
import tokenize
from types import SimpleNamespace

import nbformat
import pytest
import yaml

from lesson5.glue import glue_output, glued_name
from scripts.toc import ROOT, chapters, expected_seconds, pages


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
    assert expected_seconds(path) == pytest.approx(3.75)


def test_a_chapter_without_recorded_times_expects_none(tmp_path):
    assert expected_seconds(_notebook(tmp_path / "b.ipynb", [None, None])) == 0


def test_a_cell_with_only_its_start_recorded_counts_for_nothing(tmp_path):
    # As a cell interrupted before its reply leaves it.
    path = _notebook(tmp_path / "c.ipynb", [1.5, None])
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-12-02T10:00:00.000000Z"}
    nbformat.write(nb, path)
    assert expected_seconds(path) == pytest.approx(1.5)


def test_the_books_chapters_all_record_their_times():
    # Without them every chapter would expect 0 s and the order would be the TOC's.
    untimed = [path.name for path in chapters() if expected_seconds(path) == 0]
    assert not untimed, (
        f"{untimed} store no cell times: store outputs with `jupyter execute --inplace` "
        "(CONTRIBUTING.md, adding a chapter), which records them"
    )


def test_the_pages_are_the_table_of_contents_starting_at_its_root():
    assert pages()[0] == yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"] == "book/intro"
    assert len(set(pages())) == len(pages())


def test_every_notebook_in_book_is_a_chapter_of_the_table_of_contents():
    # A notebook left out of _toc.yml would not be built into the site.
    left_out = sorted(set((ROOT / "book").glob("*.ipynb")) - set(chapters()))
    assert not left_out, (
        f"{[str(path.relative_to(ROOT)) for path in left_out]} not in _toc.yml: add each under "
        "the Chapters caption, after the last chapter (CONTRIBUTING.md, adding a chapter, step 1), "
        "or move a notebook of your own out of book/"
    )


def test_every_chapter_is_listed_under_the_tables_chapters_caption():
    # A chapter under another caption builds, but the sidebar shows it among the reference pages.
    first = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["parts"][0]
    assert first["caption"] == "Chapters"
    under = [entry["file"] for entry in first["chapters"]]
    notebooks = [str(path.relative_to(ROOT).with_suffix("")) for path in chapters()]
    elsewhere = [page for page in notebooks if page not in under]
    assert not elsewhere, f"_toc.yml lists {elsewhere} outside the Chapters caption: move them there"


NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                "fifteen sixteen seventeen eighteen nineteen twenty").split()


def test_the_readme_counts_the_chapters():
    # Its first paragraph names the chapters' number in words ("as seven chapters that run").
    first_paragraph = (ROOT / "README.md").read_text(encoding="utf-8").split("\n\n")[1]
    said = re.search(r"\bas (\w+) chapters\b", first_paragraph)
    assert said, "README.md's first paragraph no longer says 'as <number> chapters'"
    assert said.group(1) == NUMBER_WORDS[len(chapters())], (
        f"README.md says {said.group(1)} chapters, _toc.yml lists {len(chapters())}: "
        "correct the count and name the new chapter's topic there"
    )


@pytest.mark.parametrize("page", ["intro.md", "overview_zh.md"])
def test_the_front_pages_link_every_chapter_in_the_tables_order(page):
    # intro.md's table of chapters and the Chinese overview's list are written by hand.
    text = (ROOT / "book" / page).read_text(encoding="utf-8")
    linked = re.findall(r"\]\(([\w.]+\.ipynb)\)", text)
    listed = [path.name for path in chapters()]
    missing, extra = [n for n in listed if n not in linked], [n for n in linked if n not in listed]
    assert linked == listed, (
        f"book/{page} links {linked}, where _toc.yml lists {listed}: "
        + (f"add a link to {missing}; " if missing else "")
        + (f"remove the link to {extra}; " if extra else "")
        + "keep _toc.yml's order"
    )


@functools.cache
def _chapter_notebooks():
    """{path: notebook} for every chapter, read once for the checks of the chapters' sources
    below (each notebook is megabytes of outputs)."""
    return {path: nbformat.read(path, as_version=4) for path in chapters()}


def _cells(notebooks, cell_type="code"):
    """("<file> cell <n>", cell) for each cell of that type in `notebooks` ({path: notebook})."""
    for path, nb in notebooks.items():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == cell_type:
                yield f"{path.name} cell {i}", cell


@functools.cache
def _chapter_cells(cell_type):
    """{"<chapter file> cell <n>": source} for every cell of that type in the chapters."""
    return {where: cell.source for where, cell in _cells(_chapter_notebooks(), cell_type)}


def _translated(source):
    """A code cell as IPython runs it, its %magics translated to Python, so that it parses."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _statements(source):
    """A code cell's top-level statements as IPython runs them."""
    return ast.parse(_translated(source)).body


def _called(statement):
    """The name a statement calls when it is a bare call, `f(...)` or `module.f(...)`; else None."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    func = statement.value.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


# Tags with which myst-nb folds a cell's code behind a "Show code" toggle.
FOLDING_TAGS = {"hide-input", "hide-cell"}


def _folded(cell):
    return bool(FOLDING_TAGS & set(cell.metadata.get("tags", [])))


def test_every_chapter_code_cell_was_run_when_its_outputs_were_stored():
    # nbval compares nothing for a cell that was never run (no execution count), so a cell
    # added after the chapter's outputs were stored would pass it with no outputs at all.
    unrun = [where for where, cell in _cells(_chapter_notebooks()) if cell.execution_count is None]
    assert not unrun, (
        f"these cells were never run: {unrun}; store the chapter's outputs with `jupyter execute "
        "--inplace` (CONTRIBUTING.md, Adding a chapter, step 5)"
    )


def _shows_its_last_call(source, name):
    """Whether a cell ends in a bare call of `name` (`f()` or `module.f()`) whose value IPython
    shows under it: one no final ';' silences (a comment after the ';' changes nothing)."""
    text = _translated(source)
    body = ast.parse(text).body
    if not body or _called(body[-1]) != name:
        return False
    ignored = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.DEDENT}
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in ignored]
    return tokens[-1].string != ";"


def test_no_chapter_shows_the_seed_that_seed_everything_returns():
    # seed_everything() returns its seed; a cell ending in the bare call shows "42" on the page.
    shown = [where for where, source in _chapter_cells("code").items()
             if _shows_its_last_call(source, "seed_everything")]
    assert not shown, f"end these cells' seed_everything() call with ';': {shown}"


@pytest.mark.parametrize("source, shows", [
    ("seed_everything()", True),
    ("seed_everything(42)  # the chapter's seed", True),
    ("import lesson5\nlesson5.seed_everything()", True),
    ("seed_everything();", False),
    ("seed_everything(42);  # quiet", False),
    ("x = seed_everything()", False),
    ("seed_everything()\nx = 1", False),
    ("glue('a', 1)", False),
])
def test_a_shown_last_call_is_found_by_its_statements_not_its_last_line(source, shows):
    assert _shows_its_last_call(source, "seed_everything") is shows


# torch's functions that draw from its global generator unless given one of their own.
GLOBAL_DRAWS = {"rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
                "normal", "bernoulli", "multinomial"}


def _unseeded_draws(notebooks):
    """"<file> cell <n>" for each code cell of `notebooks` ({path: notebook}) that, when run,
    calls one of GLOBAL_DRAWS on torch's global generator (no generator=) before it has called
    seed_everything: run a second time, as a learner does, such a cell draws other numbers than
    it showed. The cell's statements are read in order; one draws or seeds if it makes the call
    itself or calls a function the cell defines whose body does (a cell that only defines such a
    function draws nothing when it runs). Draws it does not see: a lambda's, a function's from
    another cell, a layer's initialisation, a loader's shuffle, an in-place `normal_()`."""
    def draw(node):
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", None) == "torch" and node.func.attr in GLOBAL_DRAWS
                and not any(keyword.arg == "generator" for keyword in node.keywords))

    def seed(node):
        return isinstance(node, ast.Call) and getattr(node.func, "id", None) == "seed_everything"

    def run_by(statement):
        """The nodes that run when `statement` runs: not the bodies it defines."""
        pending = [statement]
        while pending:
            node = pending.pop()
            yield node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                pending.extend(ast.iter_child_nodes(node))

    def does(statement, act, defined):
        """Whether running `statement` does `act`, itself or in a function of `defined`
        ({name: the nodes of its definition}) that it calls."""
        return any(act(node) or (isinstance(node, ast.Call) and getattr(node.func, "id", None) in defined
                                 and any(map(act, defined[node.func.id])))
                   for node in run_by(statement))

    found = []
    for where, cell in _cells(notebooks):
        body = _statements(cell.source)
        defined = {node.name: list(ast.walk(node)) for node in body
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        seeded = False
        for statement in body:
            # A statement that does both, as `fits = {w: fit(w) ...}` with fit seeding, seeds first.
            seeded = seeded or does(statement, seed, defined)
            if does(statement, draw, defined) and not seeded:
                found.append(where)
                break
    return found


def test_every_chapter_cell_that_draws_numbers_seeds_them():
    unseeded = _unseeded_draws(_chapter_notebooks())
    assert not unseeded, (f"call seed_everything() at the top of these cells, or draw with a "
                          f"torch.Generator of their own, so that running one again gives what it "
                          f"showed: {unseeded}")


def test_unseeded_draws_are_found_but_not_seeded_ones_or_a_generators_own(tmp_path):
    sources = {
        "x = torch.randn(3)": True,
        "x = torch.randn(3)\nseed_everything()": True,  # seeded too late
        "def f():\n    seed_everything()\nx = torch.randn(3)": True,  # the seed never runs
        "def noise(n):\n    return torch.rand(n) * 2\nx = noise(3)": True,
        "%matplotlib inline\nx = torch.randperm(5)": True,
        "seed_everything()\nx = torch.randn(3)": False,
        "def fit():\n    seed_everything()\n    return 1\nm = fit()\nx = torch.randn(3)": False,
        "g = torch.Generator().manual_seed(0)\nx = torch.randint(\n    0, 9, (3,), generator=g\n)": False,
        "def noise(n):\n    return torch.rand(n) * 2": False,  # defines, draws nothing
        "x = torch.zeros(3).normal_()": False,  # out of its sight, as its docstring says
    }
    cells = [nbformat.v4.new_code_cell(source) for source in sources]
    found = _unseeded_draws({tmp_path / "ch.ipynb": nbformat.v4.new_notebook(cells=cells)})
    assert found == [f"ch.ipynb cell {i}" for i, flagged in enumerate(sources.values()) if flagged]


def test_no_chapter_shows_the_text_that_glue_returns():
    # glue() returns the text it glued, so a cell whose last statement is a bare glue(...)
    # call shows that text, quoted, under the cell on the page.
    shown = [where for where, source in _chapter_cells("code").items() if _shows_its_last_call(source, "glue")]
    assert not shown, f"end these cells' last glue(...) call with ';': {shown}"


def test_every_chapter_glues_through_the_package():
    # lesson5.glue formats a value as the prose reads it and refuses text whose Markdown would
    # show raw, and it spares the kernel myst-nb's import of Sphinx (seconds on a laptop).
    direct = [where for where, source in _chapter_cells("code").items()
              if re.search(r"^\s*(from|import)\s+myst_nb\b", source, flags=re.M)]
    assert not direct, f"glue with `from lesson5 import glue`, not myst_nb's: {direct}"


# The characters a line of code shows on the page without scrolling: the browser check
# (tests/browser/test_code_width.py) measures the column at 83 at 1280 px. Checked here too,
# so that a long line fails in seconds rather than after the site's build.
CODE_COLUMN = 83
# A folded cell's code sits inside its toggle's frame, two characters narrower.
FOLDED_CODE_COLUMN = 81
# An exercise's solution sits in a dropdown, narrower still (measured at 1280 px).
SOLUTION_CODE_COLUMN = 80


def _solution_cells(notebooks):
    """The "<file> cell <n>" of each code cell between a {solution-start} and its
    {solution-end}, which the page shows in the solution's dropdown."""
    inside, within = set(), False
    for path, nb in notebooks.items():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown":
                starts, ends = cell.source.rfind("{solution-start}"), cell.source.rfind("{solution-end}")
                if starts != ends:
                    within = starts > ends
            elif within:
                inside.add(f"{path.name} cell {i}")
    return inside


def test_no_chapter_code_line_is_wider_than_the_pages_column():
    wide = []
    notebooks = _chapter_notebooks()
    solutions = _solution_cells(notebooks)
    assert solutions, "no exercise solution found: has the solution-start syntax changed?"
    for where, cell in _cells(notebooks):
        column = (SOLUTION_CODE_COLUMN if where in solutions
                  else FOLDED_CODE_COLUMN if _folded(cell) else CODE_COLUMN)
        wide += [f"{where}: {len(line)} characters, {column} fit"
                 for line in cell.source.splitlines() if len(line) > column]
    assert not wide, f"wrap these lines to the column: {wide}"


def _wide_output_lines(notebooks):
    """"<file> cell <n>: <k> characters" for each line of a stored output the page shows as
    text (printed, or a value without an HTML or image form) that is wider than the column.
    Glued values go into the prose, not a code block, and tables are HTML."""
    wide = []
    for where, cell in _cells(notebooks):
        if "remove-output" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text" in output:
                text = output["text"]
            elif ("text/plain" in data and not {"text/html", "image/png"} & data.keys()
                  and glued_name(output) is None):
                text = data["text/plain"]
            else:
                continue
            wide += [f"{where}: {len(line)} characters" for line in text.splitlines()
                     if len(line) > CODE_COLUMN]
    return wide


def test_no_chapter_output_line_is_wider_than_the_pages_column():
    # The browser check finds these too, but only after the site's build.
    wide = _wide_output_lines(_chapter_notebooks())
    assert not wide, f"print these outputs on shorter lines, at most {CODE_COLUMN} characters: {wide}"


def test_wide_outputs_are_found_but_not_glued_values_or_tables(tmp_path):
    long = "x" * (CODE_COLUMN + 1)
    printed = nbformat.v4.new_output("stream", name="stdout", text=f"short\n{long}\n")
    glued = nbformat.v4.new_output("display_data", data={"text/plain": long},
                                   metadata={"scrapbook": {"name": "g"}})
    table = nbformat.v4.new_output("execute_result", data={"text/plain": long, "text/html": "<table>"},
                                   execution_count=1)
    cells = [nbformat.v4.new_code_cell("print()", outputs=[printed]),
             nbformat.v4.new_code_cell("glue()", outputs=[glued]),
             nbformat.v4.new_code_cell("df", outputs=[table])]
    found = _wide_output_lines({tmp_path / "ch.ipynb": nbformat.v4.new_notebook(cells=cells)})
    assert found == [f"ch.ipynb cell 0: {CODE_COLUMN + 1} characters"]


# The most lines a code cell shows unfolded (CONTRIBUTING): a cell holds one idea, with prose
# between cells. Glue bookkeeping longer than that is folded with hide-input.
SHOWN_CELL_LINES = 40


def _long_shown_cells(notebooks):
    """"<file> cell <n>: <lines> lines" for each code cell of `notebooks` ({path: notebook})
    that the page shows unfolded with more than SHOWN_CELL_LINES lines, other than the imports
    (the cell after the bootstrap imports, then calls seed_everything(): CONTRIBUTING), whose
    set-up may also say how tensors and tables print."""
    setting_up = {"seed_everything", "set_printoptions", "set_option"}

    def only_imports(source):
        return all(isinstance(node, (ast.Import, ast.ImportFrom)) or _called(node) in setting_up
                   for node in ast.parse(source).body)

    return [f"{where}: {len(cell.source.splitlines())} lines" for where, cell in _cells(notebooks)
            if len(cell.source.splitlines()) > SHOWN_CELL_LINES and not _folded(cell)
            and not only_imports(cell.source)]


def _echoed_glues(notebooks):
    """"<file> cell <n>: name" for each stored "name: value" line that lesson5.glue prints for
    a person running a chapter, which a chapter saved from JupyterLab would carry."""
    found = []
    for path, nb in notebooks.items():
        glued = {glued_name(output) for cell in nb.cells if cell.cell_type == "code"
                 for output in cell.outputs} - {None}
        for where, cell in _cells({path: nb}):
            for output in cell.outputs:
                if output.output_type == "stream":
                    found += [f"{where}: {line.split(': ')[0]}" for line in output.text.splitlines()
                              if line.split(": ")[0] in glued and ": " in line]
    return found


def test_no_chapter_stores_the_values_glue_prints_for_a_person_watching():
    echoed = _echoed_glues(_chapter_notebooks())
    assert not echoed, ("these chapters were saved from a run with progress on; re-execute them as "
                        f"CONTRIBUTING's step 5 says (LESSON5_PROGRESS=0): {echoed[:10]}")


def test_a_stored_echo_is_found_but_not_a_printed_line_of_another_name(tmp_path):
    data, metadata = glue_output("acc", "1")
    glued = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("glue('acc', 1)", outputs=[
        glued, nbformat.v4.new_output("stream", name="stdout", text="acc: 1\nloss: 0.5\n")])]
    assert _echoed_glues({tmp_path / "ch.ipynb": nb}) == ["ch.ipynb cell 0: acc"]


def test_no_chapter_shows_a_code_cell_longer_than_one_idea():
    long = _long_shown_cells(_chapter_notebooks())
    assert not long, (f"split these cells at their ideas, with prose between, or fold glue-only "
                      f"cells (tag hide-input), to at most {SHOWN_CELL_LINES} lines: {long}")


def test_a_long_shown_cell_is_found_but_not_a_folded_one_or_imports(tmp_path):
    long = "\n".join(f"x{i} = {i}" for i in range(SHOWN_CELL_LINES + 1))
    imports = "\n".join(f"import m{i}" for i in range(SHOWN_CELL_LINES + 1)) + "\nseed_everything();"
    # The chapters' imports cells also say how tensors and tables print.
    printing = imports + "\ntorch.set_printoptions(precision=4)\npd.set_option('display.precision', 4)"
    cells = [nbformat.v4.new_code_cell(long), nbformat.v4.new_code_cell(printing),
             nbformat.v4.new_code_cell(long, metadata={"tags": ["hide-input"]}),
             nbformat.v4.new_code_cell(long, metadata={"tags": ["hide-cell", "machine-dependent"]}),
             nbformat.v4.new_code_cell(long.rsplit("\n", 1)[0]), nbformat.v4.new_markdown_cell(long),
             nbformat.v4.new_code_cell(imports + "\nx = 1")]
    found = _long_shown_cells({tmp_path / "ch.ipynb": nbformat.v4.new_notebook(cells=cells)})
    assert found == [f"ch.ipynb cell 0: {SHOWN_CELL_LINES + 1} lines",
                     f"ch.ipynb cell 6: {SHOWN_CELL_LINES + 3} lines"]


def _has_toggle_words(cell):
    """A cell whose code or output myst-nb folds behind a toggle that takes its words from the
    cell's metadata; the bootstrap cell (scripts/bootstrap_cells.py) keeps myst-nb's own."""
    return bool({"hide-input", "hide-output"} & set(cell.metadata.get("tags", []))) and cell.get("id") != "bootstrap"


def test_every_folded_cell_says_what_its_toggle_shows_and_folds_in_jupyterlab_too():
    # myst-nb's own words, "Show code cell source", would not say why a reader might open it;
    # JupyterLab ignores the tag, and folds a cell's code by its jupyter.source_hidden.
    toggled = [(where, cell) for where, cell in _cells(_chapter_notebooks()) if _has_toggle_words(cell)]
    assert any("hide-output" in cell.metadata["tags"] for _, cell in toggled)
    folded = [(where, cell.metadata) for where, cell in toggled]
    unnamed = [where for where, metadata in folded if not metadata.get("mystnb", {}).get("code_prompt_show")]
    assert not unnamed, ('give these folded cells the words of their toggle, "mystnb": '
                         f'{{"code_prompt_show": ..., "code_prompt_hide": ...}}: {unnamed}')
    # The toggle says the same thing both ways: "Show the code that ..." and "Hide the code that ...".
    unpaired = [where for where, metadata in folded
                if metadata["mystnb"].get("code_prompt_hide") != "Hide" + metadata["mystnb"]["code_prompt_show"][4:]]
    assert not unpaired, f'give these folded cells a "code_prompt_hide" matching their "code_prompt_show": {unpaired}'
    open_in_lab = [where for where, metadata in folded if "hide-input" in metadata["tags"]
                   and metadata.get("jupyter", {}).get("source_hidden") is not True]
    assert not open_in_lab, f'fold these cells in JupyterLab too, "jupyter": {{"source_hidden": true}}: {open_in_lab}'


def _same_toggles_in_a_row(notebooks):
    """"<file> cells <m> and <n>: '<words>'" for each two folded cells, one straight after the
    other, whose toggles say the same words."""
    found = []
    for path, nb in notebooks.items():
        for i, (first, second) in enumerate(zip(nb.cells, nb.cells[1:])):
            words = [cell.metadata.get("mystnb", {}).get("code_prompt_show") if _has_toggle_words(cell) else None
                     for cell in (first, second)]
            if words[0] is not None and words[0] == words[1]:
                found.append(f"{path.name} cells {i} and {i + 1}: {words[0]!r}")
    return found


def test_folded_cells_in_a_row_say_what_each_holds():
    # Their toggles stand one under the other, and the same words twice say neither which one
    # to open nor why there are two.
    same = _same_toggles_in_a_row(_chapter_notebooks())
    assert not same, f"give each of these folded cells toggle words of its own: {same}"


def test_same_toggles_are_found_only_in_a_row_and_only_on_folded_cells(tmp_path):
    def folded(words, tag="hide-input"):
        return nbformat.v4.new_code_cell("pass", metadata={
            "tags": [tag], "mystnb": {"code_prompt_show": words}})

    cells = [folded("Show a"), folded("Show a"), nbformat.v4.new_markdown_cell("prose"),
             folded("Show a"), folded("Show b"), nbformat.v4.new_code_cell("pass"), folded("Show b"),
             folded("Show c", "hide-output"), folded("Show c", "hide-output")]
    found = _same_toggles_in_a_row({tmp_path / "ch.ipynb": nbformat.v4.new_notebook(cells=cells)})
    assert found == ["ch.ipynb cells 0 and 1: 'Show a'", "ch.ipynb cells 7 and 8: 'Show c'"]


def _figure_words_misplaced(notebooks):
    """"<file> cell <n>: ..." for each code cell of `notebooks` with a figure but no alt text
    in its metadata (myst-nb then writes the image's path as its alt), or alt text but no
    figure (words left behind when a cell was split)."""
    found = []
    for where, cell in _cells(notebooks):
        figure = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
        if figure != bool(alt):
            found.append(f"{where}: " + ("a figure without alt text" if figure else "alt text without a figure"))
    return found


def test_every_chapter_figure_has_its_words_in_its_own_cell():
    # tests/browser/test_figures.py checks the words on the page; this finds a cell that lost
    # them in seconds, without a build.
    misplaced = _figure_words_misplaced(_chapter_notebooks())
    assert not misplaced, f'give each figure\'s cell "mystnb": {{"image": {{"alt": ...}}}}: {misplaced}'


def test_figure_words_are_checked_against_the_cells_outputs(tmp_path):
    figure = nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})
    words = {"mystnb": {"image": {"alt": "A line chart of the loss falling."}}}
    cells = [nbformat.v4.new_code_cell("plot()", outputs=[figure]),
             nbformat.v4.new_code_cell("plot()", outputs=[figure], metadata=words),
             nbformat.v4.new_code_cell("x = 1", metadata=words), nbformat.v4.new_code_cell("x = 1")]
    found = _figure_words_misplaced({tmp_path / "ch.ipynb": nbformat.v4.new_notebook(cells=cells)})
    assert found == ["ch.ipynb cell 0: a figure without alt text", "ch.ipynb cell 2: alt text without a figure"]


def test_nbval_runs_the_longest_chapter_first_and_the_unit_tests_after(root_conftest):
    unit = [SimpleNamespace(path=ROOT / "tests" / name) for name in ("test_a.py", "test_b.py")]
    cells = [SimpleNamespace(path=path) for path in chapters() for _ in range(2)]
    items = [unit[0], *cells, unit[1]]
    root_conftest.pytest_collection_modifyitems(items)
    by_time = sorted(chapters(), key=expected_seconds, reverse=True)
    assert [item.path for item in items] == [
        *(path for path in by_time for _ in range(2)), unit[0].path, unit[1].path
    ]


def test_xdist_is_told_not_to_reorder_the_files(pytestconfig):
    # xdist's own reordering (most tests first) would undo the order above.
    if not pytestconfig.pluginmanager.hasplugin("xdist"):
        pytest.skip("pytest-xdist is not installed")
    assert pytestconfig.getoption("loadscopereorder") is False


def test_nbval_runs_the_kernel_named_on_the_command_line():
    # pytest.ini's --nbval-current-env would otherwise win over the name without a word.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-kernel-name", "lesson5-no-such-kernel",
         "-p", "no:cacheprovider", "-q", "-x", "book/01_data.ipynb"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode != 0, result.stdout[-2000:]
    assert "No such kernel named lesson5-no-such-kernel" in result.stdout + result.stderr, result.stdout[-2000:]


def _smallest_rc_font_size():
    sizes = re.findall(r"^(?:font\.size|\w+\.labelsize|legend\.fontsize|axes\.titlesize):\s*([\d.]+)",
                       (ROOT / "book" / "matplotlibrc").read_text(encoding="utf-8"), re.MULTILINE)
    return min(float(size) for size in sizes)


def test_no_figure_text_is_smaller_than_matplotlibrcs():
    # CONTRIBUTING: figures take their font sizes from book/matplotlibrc, and nothing smaller;
    # on a phone a figure is shrunk to the column, its text with it. Named sizes below
    # "medium" are smaller than the file's font.size too.
    smallest = _smallest_rc_font_size()
    assert smallest >= 9, f"book/matplotlibrc's smallest text size is {smallest:g} pt"
    sources = dict(_chapter_cells("code"))
    sources.update({str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
                    for path in sorted((ROOT / "code" / "lesson5").rglob("*.py"))})
    small = _small_font_settings(sources, smallest)
    assert not small, f"text below matplotlibrc's {smallest:g} pt: {small}"


# A text size set in code: fontsize=8, labelsize=8, title_fontsize=8, set_fontsize(8),
# {"fontsize": 8}, prop={"size": 8}, rcParams["font.size"] = 8, {"font.size": 8},
# plt.rc("font", size=8), size=8 in a call that writes text on its line (annotate, text, titles,
# labels), and the names below "medium" ("small", "x-small", "smaller"). Not markersize, figsize,
# kernel_size or a parameter named size, which are no text.
FONT_SETTING = re.compile(
    r"(?:\b(?:title_)?(?:font|label|title)size\s*=|\bset_(?:font)?size\("
    r"|[\"'](?:font\.|legend\.font|axes\.title|[xy]tick\.label)?(?:font)?size[\"']\s*(?::|\]\s*=)"
    r"|\brc\(\s*[\"']font[\"']\s*,\s*size\s*="
    r"|\b(?:annotate|text|set_title|set_[xy]label|suptitle|[xy]label|title)\(.*?\bsize\s*=)\s*"
    r"(?:([\d.]+)|[\"'](x*-?small|smaller)[\"'])")


def _small_font_settings(sources, smallest):
    """"<where>: <setting>" for each text size set in `sources` ({where: code}) below `smallest` pt."""
    return [f"{where}: {match.group(0)}" for where, source in sources.items()
            for match in FONT_SETTING.finditer(source)
            if match.group(2) or float(match.group(1)) < smallest]


def test_small_font_settings_are_found_in_each_form_and_other_sizes_are_not():
    small = ["ax.set_title('a', fontsize=8)", "ax.tick_params(labelsize=7)", "ax.legend(title_fontsize=8)",
             "ax.annotate('a', (0, 0), size=8)", "plt.rc('font', size=8)", "text.set_fontsize(6)",
             "ax.legend(prop={'size': 7})", "plt.rcParams['font.size'] = 8", "plt.rcParams.update({'font.size': 8})",
             "ax.set_xlabel('a', size='small')", "ax.text(0, 0, 'a', fontsize='x-small')"]
    other = ["ax.plot(x, y, markersize=4)", "plt.figure(figsize=(6, 3))", "nn.Conv2d(1, 8, kernel_size=3)",
             "torch.randint(0, 9, size=(4,))", "ax.set_title('a', fontsize=12)", "ax.legend(fontsize='medium')",
             "step_size=2", "DataLoader(x, batch_size=8)", "def show(images, size=1.2):", "size = 0",
             "context(size=3)"]
    sources = {f"small {i}": code for i, code in enumerate(small)}
    sources |= {f"other {i}": code for i, code in enumerate(other)}
    found = [line.split(":")[0] for line in _small_font_settings(sources, 11)]
    assert found == [f"small {i}" for i in range(len(small))]


def test_percentages_are_written_one_way():
    # Glued percentages ("{:.1%}") print "12.3%"; prose typed beside them writes the same way.
    spaced = [f"{where}: {match.group(0)!r}" for where, source in _chapter_cells("markdown").items()
              for match in re.finditer(r"\d[ \u00a0]%", source)]
    assert not spaced, f"write 20%, not 20 %: {spaced}"


def _summary_misplaced(notebooks):
    """"<file>: ..." for each of `notebooks` ({path: notebook}) whose sections do not include one
    "## Summary" straight after its one "## Exercise" or "## Exercises" section (CONTRIBUTING)."""
    found = []
    for path, notebook in notebooks.items():
        sections = [line[3:].strip() for cell in notebook.cells if cell.cell_type == "markdown"
                    for line in cell.source.splitlines() if line.startswith("## ")]
        exercises = [i for i, title in enumerate(sections) if title in ("Exercise", "Exercises")]
        summaries = [i for i, title in enumerate(sections) if title == "Summary"]
        if len(summaries) != 1 or len(exercises) != 1 or summaries[0] != exercises[0] + 1:
            found.append(f"{path.name}: sections {sections}")
    return found


def test_every_chapter_ends_its_lesson_with_a_summary_after_its_exercises():
    misplaced = _summary_misplaced(_chapter_notebooks())
    assert not misplaced, f"give these chapters one ## Summary, straight after their exercises: {misplaced}"


def test_a_missing_or_early_summary_is_found(tmp_path):
    def chapter(*titles):
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"## {t}\n\ntext") for t in titles])

    found = _summary_misplaced({tmp_path / "good.ipynb": chapter("Data", "Exercises", "Summary", "Note"),
                                tmp_path / "none.ipynb": chapter("Data", "Exercise"),
                                tmp_path / "early.ipynb": chapter("Summary", "Exercise"),
                                tmp_path / "apart.ipynb": chapter("Exercise", "Note", "Summary"),
                                tmp_path / "no_exercise.ipynb": chapter("Data", "Summary")})
    assert [where.split(":")[0] for where in found] == ["none.ipynb", "early.ipynb", "apart.ipynb",
                                                        "no_exercise.ipynb"]
