"""The lesson's three spreadsheets as .xlsx workbooks of formulas, written from the chapters' numbers.

Each module writes one workbook from the computation of the chapter that teaches it:
`entropy` (book/03_cross_entropy.ipynb), `graddesc` (book/04_optimizers.ipynb) and `collab`
(book/06_collab.ipynb). A workbook holds formulas only, no macros and no cached results, so
any spreadsheet program computes it afresh; `calc` has LibreOffice do that and reads the
results back. Every writer returns a `Built`: the workbook and, for each formula cell, the
value the package's own computation gives it.
"""

from .sheet import Built

__all__ = ["Built"]
