"""Sphinx extension: the front page links the book's PDF only in a build that makes one.

scripts/pdf.sh prints the PDF with Chromium once the site is built. scripts/build.sh first
checks for what printing needs (scripts/install-browser.sh --pdf) and, where something is
missing, builds the site with LESSON5_NO_PDF=1: this adds the Sphinx tag `no_pdf`, and
book/intro.md's `{only}` blocks then show how to get the PDF instead of a link to a file that
will not be there. tests/test_pdf_link.py builds both.
"""

import os


def setup(app):
    if os.environ.get("LESSON5_NO_PDF") == "1":
        app.tags.add("no_pdf")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
