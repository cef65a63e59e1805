"""The lesson's spreadsheets, as each chapter offers them: the download link on the built page
serves a valid .xlsx workbook that holds formulas (lesson5.workbooks writes them; the unit
tests in tests/test_workbooks.py recalculate them in LibreOffice)."""

import io
from urllib.request import urlopen

import openpyxl
import pytest

WORKBOOKS = {
    "book/03_cross_entropy": "entropy.xlsx",
    "book/04_optimizers": "graddesc.xlsx",
    "book/06_collab": "collab_filter.xlsx",
}


@pytest.mark.parametrize(("page", "name"), WORKBOOKS.items())
def test_chapter_offers_its_workbook(visit, page, name):
    links = [href for href in visit(page).links if href.endswith(f"/{name}")]
    assert links, f"{page}: no download link to {name}"
    with urlopen(links[0]) as response:
        data = response.read()
    assert data[:2] == b"PK", f"{links[0]} is not a zip container (an .xlsx is one)"
    # Read-only mode streams the sheets, and the first formula settles it.
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    values = (value for sheet in book.worksheets for row in sheet.values for value in row)
    assert any(isinstance(value, str) and value.startswith("=") for value in values), (
        f"{name} from {page} holds no formulas"
    )
