"""Recalculating workbooks in LibreOffice Calc (headless) and reading the results back.

The chapters that offer the lesson's spreadsheets (book/03_cross_entropy.ipynb,
book/04_optimizers.ipynb, book/06_collab.ipynb) show rows as LibreOffice
computed them, and tests/test_workbooks.py compares every computed cell with the package.
"""

import math
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils.cell import coordinate_to_tuple

from ..progress import stored_run

# Colab and other places without a clone of the repository have apt-get but not the script.
INSTALL_HINT = ("install LibreOffice Calc with `apt-get install -y --no-install-recommends "
                "libreoffice-calc-nogui` (as root, or with sudo; on Colab, in a cell starting with `!`), "
                "or from a clone of the repository, `bash scripts/install-libreoffice.sh`")

# A fresh profile for every run: two runs sharing one would hand their files to whichever
# soffice started first. Its one setting makes Calc recalculate every formula on load
# instead of trusting results cached in the file (0 = always).
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


class LibreOfficeMissing(RuntimeError):
    """No `soffice` on PATH."""


def soffice():
    """The path of LibreOffice's `soffice`, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(paths, outdir, timeout=300):
    """Opens each .xlsx in `paths` in headless LibreOffice Calc, recalculates every formula and
    saves the result, with its computed values, under the same name in `outdir`.

    One soffice run converts them all. Returns the paths written, in the order given.
    """
    binary = soffice()
    if binary is None:
        raise LibreOfficeMissing(f"LibreOffice (soffice) is not on PATH: {INSTALL_HINT}")
    paths = [Path(p).resolve() for p in paths]
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ValueError(f"recalculate writes each result under its file name, so the names must differ: {names}")
    outdir = Path(outdir).resolve()
    if any(p.parent == outdir for p in paths):
        raise ValueError(f"outdir {outdir} holds an input file; give another folder, or the input is overwritten")
    outdir.mkdir(parents=True, exist_ok=True)
    results = [outdir / name for name in names]
    for stale in results:
        stale.unlink(missing_ok=True)
    # In the output folder, not in the system's temporary one: LibreOffice installed as a snap
    # (Ubuntu's App Center) has a /tmp of its own, and would never see a profile written there.
    with tempfile.TemporaryDirectory(prefix="lesson5-soffice-", dir=outdir, ignore_cleanup_errors=True) as profile:
        user = Path(profile, "user")
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS)
        command = [binary, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir),
                   *map(str, paths)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    missing = [p.name for p in results if not p.exists()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice did not convert {missing or names} (exit {done.returncode}):\n"
                           f"{done.stdout}{done.stderr}")
    return results


def computed(path, cells):
    """The results stored in the workbook at `path` (as computed by the program that saved it)
    for `cells`, an iterable of (sheet title, coordinate such as "B12"): a dict keyed the same way."""
    wanted = {}
    for sheet, coordinate in cells:
        wanted.setdefault(sheet, {})[coordinate_to_tuple(coordinate)] = (sheet, coordinate)
    found = {}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet, where in wanted.items():
            last_row = max(r for r, _ in where)
            for r, row in enumerate(wb[sheet].iter_rows(max_row=last_row, values_only=True), start=1):
                for c, value in enumerate(row, start=1):
                    if (r, c) in where:
                        found[where[r, c]] = value
    finally:
        wb.close()
    return {key: found.get(key) for sheet in wanted.values() for key in sheet.values()}


def differences(built, path):
    """Each formula cell of `built` (a `Built`) beside its result in the recalculated workbook
    at `path`: a DataFrame with columns sheet, cell, expected, computed and relative, the
    difference relative to the expected value (absolute where that is 0; infinite where the
    cell holds no number, e.g. an error such as #VALUE!)."""
    results = computed(path, built.expected)
    rows = []
    for (sheet, cell), want in built.expected.items():
        got = results[sheet, cell]
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            relative = math.inf
        else:
            relative = abs(got - want) / abs(want) if want else abs(got)
        rows.append((sheet, cell, float(want), got, relative))
    return pd.DataFrame(rows, columns=["sheet", "cell", "expected", "computed", "relative"])


@dataclass
class Recalculated:
    """A workbook's formula results as LibreOffice computed them, and how far they are from the
    package's. Without LibreOffice, or where it failed (`failure` says how), `program` is None
    and `values` are the package's own."""

    program: str | None
    values: dict
    worst: float | None
    failure: str | None = None

    def __str__(self):
        if self.failure is not None:
            text = (f"LibreOffice is installed here but could not recalculate the workbook ({self.failure}), so "
                    "the values below are the package's own")
        elif self.program is None:
            text = (f"LibreOffice is not installed here, so the values below are the package's own; to have "
                    f"a spreadsheet program compute them, {INSTALL_HINT}")
        else:
            text = (f"{self.program} recalculated all {len(self.values):,} formula cells; the largest difference "
                    f"from the package's values is {self.worst:.1e} of the value")
        # Printed in the chapters: lines that fit the book's 80-character column.
        return textwrap.fill(text, 80, break_on_hyphens=False, break_long_words=False)


def save_and_recalculate(built, path):
    """Saves `built` (a `Built`) at `path` and, where LibreOffice is installed, has it recalculate
    a copy and reads every formula cell's result back.

    A LibreOffice that fails stops the run that makes or checks the book's outputs (the build,
    nbval: progress off), so that the site never shows the fallback; for a person running the
    chapter, it leaves the chapter on the package's values, saying why.
    """
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    built.save(path)
    binary = soffice()
    if binary is None:
        return Recalculated(None, dict(built.expected), None)
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True, timeout=60)
        # Beside the workbook, for the reason recalculate gives.
        with tempfile.TemporaryDirectory(prefix="lesson5-recalculated-", dir=path.parent,
                                         ignore_cleanup_errors=True) as out:
            diff = differences(built, recalculate([path], out)[0])
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        if stored_run():
            raise
        reason = str(error).splitlines()[0].rstrip(":") if str(error) else type(error).__name__
        return Recalculated(None, dict(built.expected), None, failure=reason)
    values = dict(zip(zip(diff.sheet, diff.cell), diff.computed))
    return Recalculated(" ".join(version.stdout.split()[:2]), values, diff.relative.max())
