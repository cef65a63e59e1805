"""Sphinx extension: the front page links the book's PDF unless the build says it makes none.

scripts/pdf.sh prints the PDF with Chromium once the site is built. The link is there in every
build without LESSON5_NO_PDF=1: scripts/build.sh where printing is possible, scripts/test.sh's
html build (which then runs scripts/pdf.sh), and a build run by hand (`jupyter-book build .`),
whose site has the link whether or not the PDF is printed after it. scripts/build.sh first
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
