"""scripts/execute.py fills the build's execution cache: it executes the stale chapters (each in
its own folder, a failure reported and never cached) or imports the runs nbval compared (only
for chapters whose code is unchanged since)."""

import hashlib
import shutil

import nbformat
import pytest
import zmq
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from nbval_run import write_notebook
from test_encryption import ENCRYPTED

from scripts import cores
from scripts.toc import ROOT


@pytest.fixture
def execute(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import execute

    return execute


def _book(tmp_path, monkeypatch, execute, *notebooks):
    monkeypatch.setattr(execute, "ROOT", tmp_path)
    monkeypatch.setattr(execute, "chapters", lambda: list(notebooks))
    monkeypatch.setattr(execute, "_timeout", lambda: 120)


def _cached_outputs(cache_path, path):
    """The stored outputs of the cached run of `path`'s notebook (KeyError if none)."""
    cache = get_cache(cache_path)
    record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
    bundle = cache.get_cache_bundle(record.pk)
    return [cell.get("outputs") for cell in bundle.nb.cells], record.data


def test_a_failed_chapter_fails_the_run_and_only_the_good_one_is_cached(tmp_path, monkeypatch, execute, capsys):
    book = tmp_path / "book"
    book.mkdir()
    # Read beside the notebook: the chapter runs in its own folder, as myst-nb runs it.
    (book / "beside.txt").write_text("found beside\n")
    good = write_notebook(book / "good.ipynb", [("print(open('beside.txt').read().strip())", None)])
    bad = write_notebook(book / "bad.ipynb", [("raise RuntimeError('broken chapter')", None)])
    _book(tmp_path, monkeypatch, execute, good, bad)
    cache = tmp_path / "cache"

    assert execute.execute_stale(1, cache) == 1
    outputs, data = _cached_outputs(cache, good)
    assert outputs[0][0]["text"] == "found beside\n" and data["execution_seconds"] > 0
    with pytest.raises(KeyError):
        _cached_outputs(cache, bad)
    assert "bad.ipynb FAILED" in capsys.readouterr().err

    # Run again: the cached chapter is not executed twice, the failed one is tried again.
    assert execute.execute_stale(1, cache) == 1
    assert "1 chapter(s)" in capsys.readouterr().out



def _offering(tmp_path, monkeypatch, execute, role):
    """A book of one chapter that writes sheet.xlsx and offers it for download by `role`; the
    chapter's path and the sheet's."""
    book = tmp_path / "book"
    book.mkdir()
    path = write_notebook(book / "offers.ipynb", [("open('sheet.xlsx', 'w').write('from the run')", None)])
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"Download {role}."))
    nbformat.write(nb, path)
    _book(tmp_path, monkeypatch, execute, path)
    return path, book / "sheet.xlsx"


def _cached_until_the_sheet_goes(execute, cache, sheet, capsys):
    """The chapter is left cached while its sheet is there, and runs again, writing it, once
    the sheet is gone (a clean-up of ignored files, say: the site build could not offer it)."""
    capsys.readouterr()
    assert execute.execute_stale(1, cache) == 0
    assert "every chapter's results are cached" in capsys.readouterr().out
    sheet.unlink()
    assert execute.execute_stale(1, cache) == 0
    assert "offers.ipynb: sheet.xlsx, which its page offers for download, is missing" in capsys.readouterr().out
    assert sheet.read_text() == "from the run"


def test_a_cached_chapter_runs_again_when_the_file_its_page_offers_is_gone_or_rewritten(
        tmp_path, monkeypatch, execute, capsys):
    path, sheet = _offering(tmp_path, monkeypatch, execute, "{download}`the sheet <sheet.xlsx>`")
    cache = tmp_path / "cache"

    assert execute.execute_stale(1, cache) == 0
    assert sheet.read_text() == "from the run"
    _cached_until_the_sheet_goes(execute, cache, sheet, capsys)
    # Rewritten by another run (of edited code, in JupyterLab): the site would offer it beside
    # the cached run's page.
    sheet.write_text("from an edited run")
    assert execute.execute_stale(1, cache) == 0
    assert "sheet.xlsx, which its page offers for download, differs from the one its cached run wrote" \
        in capsys.readouterr().out
    assert sheet.read_text() == "from the run"
    # Missing when its run was cached (removed before the run was imported, say): missing
    # still, it is no reason to trust the run.
    sheet.unlink()
    execute._store(get_cache(cache), path, nbformat.read(path, as_version=4), 1.0)
    assert execute.execute_stale(1, cache) == 0
    assert "sheet.xlsx, which its page offers for download, is missing" in capsys.readouterr().out
    assert sheet.read_text() == "from the run"


def test_the_files_a_page_offers_are_read_from_its_folder_or_the_books_root(tmp_path, monkeypatch, execute):
    monkeypatch.setattr(execute, "ROOT", tmp_path)
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "near.txt").write_text("near")
    (tmp_path / "top.txt").write_text("top")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "{download}`near.txt`, {download}`the top </top.txt>`, {download}`gone <gone.txt>` and "
        "{download}`elsewhere <https://example.org/data.csv>`")])
    digests = execute._downloads(tmp_path / "book" / "chapter.ipynb", nb)
    assert digests == {"near.txt": hashlib.sha256(b"near").hexdigest(),
                       "/top.txt": hashlib.sha256(b"top").hexdigest(), "gone.txt": None}


def test_a_chapter_the_site_build_ran_itself_runs_again_only_when_its_file_is_missing(
        tmp_path, monkeypatch, execute, capsys):
    path, sheet = _offering(tmp_path, monkeypatch, execute, "{download}`sheet.xlsx`")
    cache_path = tmp_path / "cache"
    assert execute.execute_stale(1, cache_path) == 0
    # What myst-nb caches when the site build executes a chapter: its run, no fingerprints.
    cache = get_cache(cache_path)
    record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
    bundle = cache.get_cache_bundle(record.pk)
    cache.cache_notebook_bundle(CacheBundleIn(bundle.nb, record.uri), check_validity=False, overwrite=True)
    sheet.write_text("from the site build's own run")
    _cached_until_the_sheet_goes(execute, cache_path, sheet, capsys)


def _kernel_failing_to_start(monkeypatch, execute, times, message=None):
    """Makes the chapter's kernel fail to start `times` times, with nbclient's words (or
    `message`), before starting as usual; gives the list of the attempts."""
    attempts = []
    start = execute.single_nb_execution

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) <= times:
            raise RuntimeError(message or "Kernel died before replying to kernel_info")
        return start(*args, **kwargs)

    monkeypatch.setattr(execute, "single_nb_execution", flaky)
    # _execute sets the worker's environment, here the test's own.
    monkeypatch.setattr(execute.os, "environ", dict(execute.os.environ))
    return attempts


def test_a_kernel_that_would_not_start_is_started_once_more(tmp_path, monkeypatch, execute, capsys):
    # Seen in a build: a port chosen for one chapter's kernel was taken by the kernel of the
    # chapter starting beside it, and the chapter failed before running a cell.
    chapter = write_notebook(tmp_path / "chapter.ipynb", [("print('ran')", None)])
    attempts = _kernel_failing_to_start(monkeypatch, execute, times=1)
    nb, seconds, error = execute._execute(chapter, 120)
    assert len(attempts) == 2 and error is None and nb.cells[0].outputs[0]["text"] == "ran\n"
    assert "chapter.ipynb: its kernel would not start; starting another" in capsys.readouterr().err


@pytest.mark.parametrize("times, message", [(2, None), (1, "some other failure")])
def test_a_kernel_failing_twice_or_otherwise_fails_the_chapter(tmp_path, monkeypatch, execute, times, message):
    chapter = write_notebook(tmp_path / "chapter.ipynb", [("print('ran')", None)])
    attempts = _kernel_failing_to_start(monkeypatch, execute, times, message)
    with pytest.raises(RuntimeError):
        execute._execute(chapter, 120)
    assert len(attempts) == times

@pytest.mark.skipif(not zmq.has("curve"), reason="this pyzmq cannot encrypt (no CurveZMQ)")
def test_a_chapter_whose_kernel_dies_is_named_and_the_others_are_still_cached(tmp_path, monkeypatch, execute,
                                                                              capsys):
    book = tmp_path / "book"
    book.mkdir()
    good = write_notebook(book / "good.ipynb", [("print('fine')", None)])
    # The kernel's process ends, as when it is killed for memory: not a cell's error.
    dying = write_notebook(book / "dying.ipynb", [("import os\nos._exit(1)", None)])
    _book(tmp_path, monkeypatch, execute, good, dying)
    # The dying chapter first, so that its failure comes before the good one's result.
    monkeypatch.setattr(execute, "expected_seconds", lambda path: {"dying": 9, "good": 1}[path.stem])
    cache = tmp_path / "cache"

    assert execute.execute_stale(1, cache) == 1
    outputs, _ = _cached_outputs(cache, good)
    assert outputs[0][0]["text"] == "fine\n"
    err = capsys.readouterr().err
    assert "dying.ipynb FAILED outside its cells: DeadKernelError\n" in err


def test_each_chapters_kernel_runs_encrypted_and_says_nothing_of_it(tmp_path, monkeypatch, execute, capfd):
    # Unencrypted, ipykernel warns on the build's output at every chapter's start.
    notebook = write_notebook(tmp_path / "kernel.ipynb", [(ENCRYPTED, None)])
    _book(tmp_path, monkeypatch, execute, notebook)
    assert execute.execute_stale(1, tmp_path / "cache") == 0
    outputs, _ = _cached_outputs(tmp_path / "cache", notebook)
    assert outputs[0][0]["text"] == "True\n"
    assert "without encryption" not in capfd.readouterr().err


def test_the_longest_chapter_starts_first(tmp_path, monkeypatch, execute):
    short, long = (write_notebook(tmp_path / f"{name}.ipynb", [("1", None)]) for name in ("short", "long"))
    _book(tmp_path, monkeypatch, execute, short, long)
    monkeypatch.setattr(execute, "expected_seconds", lambda path: {"short": 1, "long": 9}[path.stem])
    submitted = []

    class Pool:
        def __init__(self, max_workers):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, function, path, timeout):
            submitted.append(path.stem)
            return path

    # Only the order of submission is looked at: nothing is run or collected.
    monkeypatch.setattr(execute, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(execute, "as_completed", lambda futures: [])
    execute.execute_stale(2, tmp_path / "cache")
    assert submitted == ["long", "short"]


def test_an_import_caches_nbvals_run_only_for_unchanged_code(tmp_path, monkeypatch, execute, capsys):
    book, ran = tmp_path / "book", tmp_path / "ran"
    book.mkdir()
    ran.mkdir()
    same = write_notebook(book / "same.ipynb", [("print(1)", None), ("print(2)", None)])
    changed = write_notebook(book / "changed.ipynb", [("print(3)", None)])
    # What nbval wrote: the same code with its outputs, and the changed one's older code, both
    # run with the current package (none here).
    run = {"lesson5_execution_seconds": 0.5, execute.INPUTS_KEY: execute.fingerprint(tmp_path)}
    write_notebook(ran / same.name, [("print(1)", "1\n"), ("print(2)", "2\n")], **run)
    write_notebook(ran / changed.name, [("print('old code')", "old code\n")], **run)
    _book(tmp_path, monkeypatch, execute, same, changed)
    cache = tmp_path / "cache"

    assert execute.main(["--import", str(ran), "--cache", str(cache)]) == 0
    assert "no nbval run" not in capsys.readouterr().err
    outputs, data = _cached_outputs(cache, same)
    assert [o[0]["text"] for o in outputs] == ["1\n", "2\n"] and data["execution_seconds"] == 0.5
    with pytest.raises(KeyError):
        _cached_outputs(cache, changed)


def test_an_import_names_the_chapters_nbval_left_no_run_of(tmp_path, monkeypatch, execute, capsys):
    book = tmp_path / "book"
    book.mkdir()
    first = write_notebook(book / "first.ipynb", [("print(1)", None)])
    second = write_notebook(book / "second.ipynb", [("print(2)", None)])
    _book(tmp_path, monkeypatch, execute, first, second)
    assert execute.main(["--import", str(tmp_path / "nothing"), "--cache", str(tmp_path / "cache")]) == 0
    assert ("no nbval run of first.ipynb, second.ipynb in " + str(tmp_path / "nothing")
            in capsys.readouterr().err)


def test_by_default_it_fills_myst_nbs_cache_a_chapter_per_core_as_memory_allows(monkeypatch, execute, tmp_path):
    calls = []
    monkeypatch.setattr(execute, "execute_stale", lambda jobs, cache: calls.append((jobs, cache)) or 0)
    monkeypatch.setattr(execute.cores, "usable", lambda *args: 8)
    monkeypatch.setattr(execute.cores, "_cgroup_room", lambda *args: None)
    meminfo = tmp_path / "meminfo"
    monkeypatch.setattr(execute.cores, "MEMINFO", meminfo)
    # Memory for 64 chapters, then for one: one per CPU, then one at a time.
    for chapters in (64, 1):
        meminfo.write_text(f"MemAvailable: {chapters * cores.CHAPTER_BYTES // 1024} kB\n")
        execute.main([])
    # myst-nb's default cache is beside the HTML output folder, _build/html.
    cache = (ROOT / "_build" / "html").parent / ".jupyter_cache"
    assert calls == [(8, cache), (1, cache)]


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_no_chapters_at_once_is_refused_by_name(execute, capsys, jobs):
    # It met ProcessPoolExecutor's "max_workers must be greater than 0", as a traceback.
    with pytest.raises(SystemExit) as stopped:
        execute.main(["--jobs", jobs])
    assert stopped.value.code == 2
    assert f"--jobs is the number of chapters run at once, 1 or more, got {jobs}" in capsys.readouterr().err


def test_a_change_to_the_package_runs_every_chapter_again(tmp_path, monkeypatch, execute, capsys):
    # Outputs depend on the package as much as on a chapter's code cells, which alone key the cache.
    reads_the_package = "import sys\nsys.path.insert(0, 'code/lesson5')\nimport m\nm.A"
    chapter = write_notebook(tmp_path / "ch.ipynb", [(reads_the_package, None)])
    _book(tmp_path, monkeypatch, execute, chapter)
    module = tmp_path / "code" / "lesson5" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text("A = 1\n")
    cache = tmp_path / "_build" / ".jupyter_cache"
    doctrees = tmp_path / "_build" / ".doctrees"
    assert execute.execute_stale(1, cache) == 0
    assert _cached_outputs(cache, chapter)[0][0][0]["data"]["text/plain"] == "1"
    doctrees.mkdir()
    capsys.readouterr()

    assert execute.execute_stale(1, cache) == 0
    assert "every chapter's results are cached" in capsys.readouterr().out and doctrees.exists()

    module.write_text("A = 2\n")
    assert execute.execute_stale(1, cache) == 0
    out = capsys.readouterr().out
    assert "changed since the cached runs" in out and "1 chapter(s)" in out
    assert _cached_outputs(cache, chapter)[0][0][0]["data"]["text/plain"] == "2"
    # Sphinx reads again only pages whose source changed: its record of the pages goes too.
    assert not doctrees.exists()

    # A cache from before the fingerprint was kept holds runs of unknown inputs.
    (cache / execute.STAMP).unlink()
    assert execute.execute_stale(1, cache) == 0
    assert "1 chapter(s)" in capsys.readouterr().out

    # A cache deleted by hand leaves the pages Sphinx read from it: they go with it.
    shutil.rmtree(cache)
    doctrees.mkdir()
    assert execute.execute_stale(1, cache) == 0
    assert "1 chapter(s)" in capsys.readouterr().out and not doctrees.exists()


def test_a_run_nbval_made_with_another_package_is_not_imported(tmp_path, monkeypatch, execute, capsys):
    chapter = write_notebook(tmp_path / "ch.ipynb", [("1 + 1", None)])
    _book(tmp_path, monkeypatch, execute, chapter)
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "m.py").write_text("A = 1\n")
    ran = tmp_path / "nbval"
    ran.mkdir()
    executed = nbformat.read(chapter, as_version=4)
    executed.cells[0].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    executed.metadata["lesson5_execution_seconds"] = 0.5
    executed.metadata[execute.INPUTS_KEY] = execute.fingerprint(tmp_path)
    nbformat.write(executed, ran / "ch.ipynb")
    cache = tmp_path / "cache"

    (tmp_path / "code" / "m.py").write_text("A = 2\n")
    assert execute.import_executed(ran, cache) == 0
    assert "ran with other inputs" in capsys.readouterr().out
    with pytest.raises(KeyError):
        _cached_outputs(cache, chapter)

    (tmp_path / "code" / "m.py").write_text("A = 1\n")
    assert execute.import_executed(ran, cache) == 0
    assert _cached_outputs(cache, chapter)[0][0][0]["data"]["text/plain"] == "2"
