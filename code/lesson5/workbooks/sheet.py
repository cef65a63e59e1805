"""What the three workbook writers share: the `Built` result and the look of a sheet.

Part of the workbooks that book/03, 04 and 06 offer for download (see `lesson5.workbooks`).
"""

from dataclasses import dataclass

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

BOLD = Font(bold=True)


@dataclass
class Built:
    """A workbook of formulas and what each formula cell computes.

    `expected` maps (sheet title, cell coordinate such as "B12") to the value the package's
    own computation gives that cell: the tests compare a spreadsheet program's results with it.
    """

    workbook: Workbook
    expected: dict

    def save(self, path):
        """Writes the workbook to `path` (an .xlsx file) and returns the path."""
        self.workbook.save(path)
        return path


def header(ws, row, col, titles):
    """Writes `titles` in bold along `row` from column number `col`."""
    for i, title in enumerate(titles):
        ws.cell(row=row, column=col + i, value=title).font = BOLD


def widths(ws, width, first=1, last=None):
    """Sets columns `first`..`last` (numbers) to `width` characters."""
    for col in range(first, (last or ws.max_column) + 1):
        ws.column_dimensions[get_column_letter(col)].width = width
