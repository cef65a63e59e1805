"""What the three workbook writers share: the `Built` result and the look of a sheet.

Part of the workbooks that book/03_cross_entropy.ipynb, book/04_optimizers.ipynb and
book/06_collab.ipynb offer for download (see `lesson5.workbooks`).
"""

import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook import Workbook

from ..atomic import write_atomically

BOLD = Font(bold=True)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# The times openpyxl stamps in the document's properties, when it was created and saved.
_STAMPED_TIMES = re.compile(r"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


@dataclass
class Built:
    """A workbook of formulas and what each formula cell computes.

    `expected` maps (sheet title, cell coordinate such as "B12") to the value the package's
    own computation gives that cell: the tests compare a spreadsheet program's results with it.

    `rows` holds, per sheet title, rows written below the workbook's own as plain XML, for
    sheets of thousands of formula rows that openpyxl would take seconds to write cell by
    cell: a list of (row number, [(column number, value), ...]), rows and columns in
    increasing order, each value a number or a formula ("=..."), unstyled.
    """

    workbook: Workbook
    expected: dict
    rows: dict = field(default_factory=dict)

    def save(self, path):
        """Writes the workbook to `path` (an .xlsx file), whole or not at all, and returns the
        path. The same workbook saves to the same bytes at any time: the site offers the file
        for download, and scripts/execute.py runs a chapter whose run is cached again when the
        file it wrote has changed since."""
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        write_atomically(path, self._settled(buffer))
        return path

    def _settled(self, buffer):
        """The bytes of the saved workbook in `buffer` with `rows` added below each sheet's own,
        and none of the times openpyxl stamps: each part's in the zip, and the properties'."""
        unknown = set(self.rows) - set(self.workbook.sheetnames)
        if unknown:
            raise ValueError(f"rows name sheets that do not exist: {sorted(unknown)}; "
                             f"sheets: {self.workbook.sheetnames}")
        for title, rows in self.rows.items():
            above = self.workbook[title].max_row
            numbers = [r for r, _ in rows]
            if numbers and (numbers[0] <= above or numbers != sorted(set(numbers))):
                raise ValueError(f"the rows for sheet {title!r} must come below its last row ({above}) in "
                                 f"increasing order, got rows {numbers[0]} to {numbers[-1]}")
        written = io.BytesIO()
        with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED) as out:
            parts = _sheet_parts(source)
            for info in source.infolist():
                data = source.read(info.filename)
                title = parts.get(info.filename)
                if title in self.rows:
                    data = _append_rows(data.decode("utf-8"), self.rows[title]).encode("utf-8")
                elif info.filename == "docProps/core.xml":
                    data = _STAMPED_TIMES.sub("", data.decode("utf-8")).encode("utf-8")
                # A ZipInfo made afresh carries the zip format's earliest time, 1980-01-01.
                out.writestr(zipfile.ZipInfo(info.filename), data, compress_type=zipfile.ZIP_DEFLATED)
        return written.getvalue()


def _sheet_parts(archive):
    """Sheet title by the name of the part that holds the sheet, e.g. "xl/worksheets/sheet2.xml"."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets[sheet.get(_REL_ID)]
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[posixpath.normpath(part)] = sheet.get("name")
    return parts


def _cell_xml(ref, value):
    if isinstance(value, str) and value.startswith("="):
        return f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'
    # An .xlsx cell has no NaN or infinity: Python's 'nan' would make the file unreadable.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    raise ValueError(f"a row cell holds a finite number or a formula starting with '=', got {value!r} in {ref}")


def _append_rows(sheet_xml, rows):
    """`sheet_xml` (a worksheet part) with `rows` added at the end of its sheetData."""
    if not rows:
        return sheet_xml
    letters, xml = {}, []
    for r, cells in rows:
        xml.append(f'<row r="{r}">')
        for c, value in cells:
            letter = letters.get(c) or letters.setdefault(c, get_column_letter(c))
            xml.append(_cell_xml(f"{letter}{r}", value))
        xml.append("</row>")
    text = "".join(xml)
    if "</sheetData>" in sheet_xml:
        sheet_xml = sheet_xml.replace("</sheetData>", text + "</sheetData>", 1)
    else:
        sheet_xml = re.sub(r"<sheetData\s*/>", lambda _: f"<sheetData>{text}</sheetData>", sheet_xml, count=1)

    def widen(match):
        start, _, end = match.group(1).partition(":")
        first_col, first_row = re.fullmatch(r"([A-Z]+)(\d+)", start).groups()
        first_col = min([column_index_from_string(first_col), *letters])
        last_col = max([column_index_from_string(re.match(r"[A-Z]+", end or start).group()), *letters])
        return f'<dimension ref="{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{rows[-1][0]}"'

    # The dimension element tells a reader the used range: it must take in the new rows.
    return re.sub(r'<dimension ref="([^"]+)"', widen, sheet_xml, count=1)


def header(ws, row, col, titles):
    """Writes `titles` in bold along `row` from column number `col`."""
    for i, title in enumerate(titles):
        ws.cell(row=row, column=col + i, value=title).font = BOLD


def widths(ws, width, first=1, last=None):
    """Sets columns `first`..`last` (numbers) to `width` characters."""
    for col in range(first, (last or ws.max_column) + 1):
        ws.column_dimensions[get_column_letter(col)].width = width
