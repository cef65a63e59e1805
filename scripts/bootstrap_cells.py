"""Writes each chapter's first code cell, the one that makes the chapter run outside a checkout.

In Colab (or any Python without this course's environment) the cell installs the package
`lesson5` from the repository, at the release named in `_config.yml`, so that a chapter and
the package it installs come from one release. A Python that has the package already keeps it
(a Colab runtime starts without); in the course's own environment the cell does nothing.

The repository URL and the release live in one place, `_config.yml` (`repository.url`,
`repository.branch`); the launch buttons on the site are built from the same two keys.
After changing either, run

    python scripts/bootstrap_cells.py            # rewrite the cells
    python scripts/bootstrap_cells.py --check    # exit 1 if any chapter's cell is out of date
    python scripts/bootstrap_cells.py --release  # print the release tag (scripts/publish.sh)

The first two also exit 1 if a notebook in book/ is not in _toc.yml: they can neither check
nor write its cell.
"""

import argparse
import sys
from pathlib import Path

import nbformat
import yaml
from toc import ROOT, chapters

from lesson5.atomic import write_atomically

CELL_ID = "bootstrap"
TAGS = ["hide-cell"]

TEMPLATE = '''\
# Outside the course's environment (Colab, say), install its package
# `lesson5` at the release this chapter was written for;
# LESSON5_REPOSITORY points it at another copy.
import importlib.util
import os

REPOSITORY = "{url}"


def installed():
    # A folder named lesson5 where the kernel runs (a clone of the
    # course, say) is found too, as a package with no code in it.
    spec = importlib.util.find_spec("lesson5")
    return spec is not None and spec.origin is not None


if not installed():
    repository = os.environ.get("LESSON5_REPOSITORY", REPOSITORY)
    %pip install --quiet "git+{{repository}}@{ref}#subdirectory=code"
    # %pip does not fail the cell when pip fails: say so here, not at an import.
    importlib.invalidate_caches()
    if not installed():
        raise ModuleNotFoundError(
            f"pip did not install lesson5 from {{repository}} where this "
            "kernel finds it: pip's errors, if any, are above; with none, "
            "it installed for your user alone: restart the kernel"
        )'''


class ConfigError(ValueError):
    """What _config.yml lacks, for a message without a traceback."""


def repository(root=ROOT):
    """(url, ref) from `_config.yml`: where the package comes from, and at which tag."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    repo = (config or {}).get("repository") or {}
    missing = [f"repository.{key}" for key in ("url", "branch") if not repo.get(key)]
    if missing:
        raise ConfigError(f"{root / '_config.yml'} names no {' and no '.join(missing)}: the bootstrap "
                         "cells install the package from repository.url at the tag repository.branch "
                         "names; set both (CONTRIBUTING.md, \"Releasing\")")
    return repo["url"].rstrip("/"), repo["branch"]


def expected_source(root=ROOT):
    url, ref = repository(root)
    return TEMPLATE.format(url=url, ref=ref)


def _is_bootstrap(cell):
    """A bootstrap cell by its id, or by its first line where a copy lost the id (nbformat
    renames a repeated one when it reads the notebook)."""
    first_line = TEMPLATE.split("\n", 1)[0]
    return cell.get("id") == CELL_ID or (cell.cell_type == "code" and cell.source.startswith(first_line))


def _first_code_index(nb):
    """The first code cell's index; in a draft of markdown cells alone, the end, where
    `write` puts the bootstrap cell."""
    return next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"), len(nb.cells))


def stale(path, source):
    """Why the chapter's bootstrap cell is not `source`, or None when it is."""
    nb = nbformat.read(path, as_version=4)
    i = _first_code_index(nb)
    if i == len(nb.cells):
        return "it has no code cell, so no bootstrap cell"
    copies = sum(map(_is_bootstrap, nb.cells))
    if copies > 1:
        return f"it has {copies} bootstrap cells"
    cell = nb.cells[i]
    if cell.get("id") != CELL_ID:
        return "its first code cell is not the bootstrap cell"
    if cell.source != source:
        return "its bootstrap cell differs from the one _config.yml gives"
    if cell.metadata.get("tags") != TAGS:
        return f"its bootstrap cell is not tagged {TAGS}"
    return None


def write(path, source):
    """Makes the chapter's first code cell its one bootstrap cell, with `source`: the cell moves
    there from wherever a code cell written above it left it, and only one copy stays."""
    nb = nbformat.read(path, as_version=4)
    # The one with the id first, to keep its stored run.
    found = sorted(filter(_is_bootstrap, nb.cells), key=lambda cell: cell.get("id") != CELL_ID)
    nb.cells = [cell for cell in nb.cells if not _is_bootstrap(cell)]
    if found:
        # The cell keeps its execution count, outputs and timing: in the course's environment
        # it does nothing, so a run of the new source stores the same. A fresh cell would read
        # as never run, and fail the chapter's checks (tests/test_toc.py) until re-executed.
        cell = found[0]
        cell.id = CELL_ID
        cell.source = source
        cell.metadata["tags"] = TAGS
    else:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": TAGS})
        cell.id = CELL_ID
    nb.cells.insert(_first_code_index(nb), cell)
    # Whole or not at all: the notebook holds the chapter's stored outputs. The final newline
    # is nbformat.write's.
    write_atomically(path, (nbformat.writes(nb) + "\n").encode("utf-8"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale cells, change nothing")
    parser.add_argument("--release", action="store_true", help="print the release tag the cells install")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root folder")
    args = parser.parse_args(argv)
    if args.release:
        print(repository(args.root)[1])
        return 0
    source = expected_source(args.root)
    problems = [(p, why) for p in chapters(args.root) if (why := stale(p, source))]
    # The cells go into the chapters that _toc.yml lists: a notebook it leaves out gets none.
    unlisted = sorted(set((args.root / "book").glob("*.ipynb")) - set(chapters(args.root)))
    for path in unlisted:
        print(f"{path.relative_to(args.root)}: not in _toc.yml, so this script neither checks nor "
              "writes its bootstrap cell: add it to _toc.yml (CONTRIBUTING.md, Adding a chapter), "
              "then run this again; or move a notebook of your own out of book/")
    if args.check:
        for path, why in problems:
            print(f"{path.relative_to(args.root)}: {why}; run python scripts/bootstrap_cells.py")
        return 1 if problems or unlisted else 0
    for path, _ in problems:
        write(path, source)
        print(f"bootstrap cell written: {path.relative_to(args.root)}")
    return 1 if unlisted else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConfigError as error:
        sys.exit(f"bootstrap_cells: {error}")
