"""Executes the chapters for the site build, as many at once as the CPUs and free memory allow.

Jupyter Book 1.x executes notebooks one after another while Sphinx reads them. This script
fills the same execution cache first (myst-nb's jupyter-cache, by default
_build/.jupyter_cache), so the build that follows only reads results:

    python scripts/execute.py                   # execute every chapter whose code changed
    python scripts/execute.py --import DIR      # cache notebooks that nbval just executed

`--import` takes the notebooks that the nbval run wrote (conftest.py, LESSON5_EXECUTED_DIR):
each one is the chapter with the outputs of the run that nbval compared with the stored
ones, so the test command executes each chapter once, for the comparison and the site.
A chapter is cached only if its code is unchanged since it was executed: the cache is keyed
on the code cells, exactly as myst-nb looks it up. What else decides a chapter's outputs, the
package in code/, the pinned requirements, the figures' style and whether LibreOffice is
installed (scripts/inputs.py), is
fingerprinted beside the cache: when it changes, every chapter runs again and every page is
read again, so the site never shows results of an older package; a run nbval made with other
inputs is not imported. The files a chapter writes for its page to offer ({download} in its
prose: the workbooks) are fingerprinted with its run: a cached chapter whose file is gone, or
was written since by another run (of edited code, in JupyterLab), runs again.
"""

import argparse
import hashlib
import os
import re
import shutil
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import cores
import nbformat
import yaml
from encryption import kernel_config, would_not_start
from inputs import STAMP, fingerprint
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution
from reference_machine import ON_THE_CPU
from toc import ROOT, chapters, expected_seconds

# Where the notebooks nbval wrote record the inputs it ran with (conftest.py).
INPUTS_KEY = "lesson5_inputs"
# {download}`label <path>` or {download}`path`, the path from the chapter's folder.
DOWNLOAD = re.compile(r"\{download\}`(?:[^`<]*<([^>`]+)>|([^`]+))`")


def _fresh_cache(cache_path):
    """The cache, emptied first if its results were computed with other inputs (or with
    unknown ones, from before the fingerprint was kept), and stamped with the current ones.
    Without the current stamp, Sphinx's record of the pages it read (.doctrees beside the
    cache) goes too, cache emptied or not (one deleted by hand has no stamp): Sphinx reads a
    page again only when its source changed, and here only the results did. Returns the cache
    and the fingerprint."""
    now = fingerprint(ROOT)
    stamp = Path(cache_path) / STAMP
    cache = get_cache(cache_path)
    if not stamp.exists() or stamp.read_text().strip() != now:
        shutil.rmtree(Path(cache_path).parent / ".doctrees", ignore_errors=True)
        if cache.list_cache_records():
            print("execute: the package, the requirements, the figure style or LibreOffice's presence "
                  "changed since the cached runs: every chapter runs again")
            cache.clear_cache()
            cache = get_cache(cache_path)
    Path(cache_path).mkdir(parents=True, exist_ok=True)
    stamp.write_text(now + "\n")
    return cache, now


def _timeout():
    return int(yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"])


def _downloads(path, nb):
    """Each file of the book that `nb`'s prose offers for download, by its path there, with its
    SHA-256 (None if it is missing): what the chapter at `path` wrote when it last ran. A path
    from '/' starts at the book's root, as Sphinx reads it; an address elsewhere is not a file
    of the book."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for labelled, bare in DOWNLOAD.findall(cell.source):
                name = (labelled or bare).strip()
                if "://" in name:
                    continue
                file = ROOT / name.lstrip("/") if name.startswith("/") else path.parent / name
                found[name] = hashlib.sha256(file.read_bytes()).hexdigest() if file.is_file() else None
    return found


def _cached(cache, path, nb):
    try:
        record = cache.match_cache_notebook(nb)
    except KeyError:
        return False
    # A run the site build made itself (myst-nb) keeps no fingerprints: there only a missing
    # file shows.
    ran = record.data.get("downloads", {})
    changed = {name: "is missing" if digest is None else "differs from the one its cached run wrote"
               for name, digest in _downloads(path, nb).items()
               if digest is None or ("downloads" in record.data and ran.get(name) != digest)}
    for name, state in sorted(changed.items()):
        print(f"execute: {path.name}: {name}, which its page offers for download, {state}; running it again")
    return not changed


def _store(cache, path, nb, seconds):
    record = cache.add_nb_to_project(str(path))
    cache.cache_notebook_bundle(
        CacheBundleIn(nb, record.uri, data={"execution_seconds": seconds, "downloads": _downloads(path, nb)}),
        check_validity=False,
        overwrite=True,
    )


def _execute(path, timeout):
    """Runs in a worker process: one chapter, in its own folder, as myst-nb would, on the CPU
    (where the stored outputs were computed) even on a machine with a GPU, with progress off,
    its kernel's messages encrypted where pyzmq can (scripts/encryption.py)."""
    os.environ.update(ON_THE_CPU)
    # Stored outputs hold no progress bars and none of the values glue prints for a person
    # watching (lesson5.progress), however this was started.
    os.environ["LESSON5_PROGRESS"] = "0"
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        try:
            result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout,
                                         allow_errors=False, config=kernel_config())
        except RuntimeError as error:
            # A kernel that fails to start twice fails the chapter.
            if attempt == 2 or not would_not_start(error):
                raise
            print(f"execute: {path.name}: its kernel would not start; starting another",
                  file=sys.stderr)
            continue
        return nb, result.time, result.exc_string


def execute_stale(jobs, cache_path):
    timeout = _timeout()
    cache, _ = _fresh_cache(cache_path)
    stale = [p for p in chapters() if not _cached(cache, p, nbformat.read(p, as_version=4))]
    if not stale:
        print("execute: every chapter's results are cached")
        return 0
    # Longest first, so that no core idles at the end while one chapter finishes.
    stale.sort(key=expected_seconds, reverse=True)
    print(f"execute: {len(stale)} chapter(s), {jobs} at a time")
    failed = []
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_execute, p, timeout): p for p in stale}
        for future in as_completed(futures):
            path = futures[future]
            name = path.relative_to(ROOT)
            try:
                nb, seconds, error = future.result()
            except Exception as error:
                # Not a cell's error: its kernel died (killed for memory, say) or would not
                # start, or its worker was lost. That chapter failed; the others go on.
                failed.append(name)
                print(f"execute: {name} FAILED outside its cells: {type(error).__name__}\n"
                      f"{traceback.format_exc()}", file=sys.stderr)
                continue
            if error:
                failed.append(name)
                print(f"execute: {name} FAILED after {seconds:.1f} s\n{error}", file=sys.stderr)
            else:
                _store(cache, path, nb, seconds)
                print(f"execute: {name} {seconds:.1f} s")
    print(f"execute: done in {time.perf_counter() - start:.1f} s")
    return 1 if failed else 0


def import_executed(folder, cache_path):
    """Caches each notebook nbval executed, when its code is still the chapter's and it ran
    with the current inputs."""
    cache, now = _fresh_cache(cache_path)
    by_name = {p.name: p for p in chapters()}
    found = set()
    for executed in sorted(Path(folder).glob("*.ipynb")):
        source = by_name.get(executed.name)
        if source is None:
            continue
        found.add(executed.name)
        executed_nb = nbformat.read(executed, as_version=4)
        if executed_nb.metadata.get(INPUTS_KEY) != now:
            print(f"execute: {executed.name} ran with other inputs (package, requirements, figure style or "
                  "LibreOffice); the build will execute it")
            continue
        ran = [c for c in executed_nb.cells if c.cell_type == "code"]
        nb = nbformat.read(source, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if [c.source for c in ran] != [c.source for c in code]:
            print(f"execute: {executed.name} changed since nbval ran it; the build will execute it")
            continue
        # The chapter as it is now (its metadata too, which the cache key includes), with
        # the outputs of the run nbval compared.
        for cell, run in zip(code, ran):
            cell.outputs, cell.execution_count = run.outputs, run.execution_count
        # conftest.py writes it beside every run it keeps.
        seconds = executed_nb.metadata["lesson5_execution_seconds"]
        _store(cache, source, nb, seconds)
        print(f"execute: {source.relative_to(ROOT)} cached from the nbval run ({seconds:.1f} s)")
    # nbval keeps a chapter only when every cell passed (conftest.py): one missing here is run
    # again by the site build, one at a time, which a reader of the log should know.
    missing = sorted(set(by_name) - found)
    if missing:
        print(f"execute: no nbval run of {', '.join(missing)} in {folder}; the site build will execute "
              "them, one at a time", file=sys.stderr)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=cores.jobs(),
                        help="chapters at once (default: the CPUs it may use, as memory allows)")
    parser.add_argument("--import", dest="folder", type=Path, help="cache the notebooks nbval executed (in FOLDER)")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="the build's execution cache (myst-nb's default for the default output)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs is the number of chapters run at once, 1 or more, got {args.jobs}")
    if args.folder is not None:
        return import_executed(args.folder, args.cache)
    return execute_stale(args.jobs, args.cache)


if __name__ == "__main__":
    sys.exit(main())
