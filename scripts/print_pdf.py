"""Prints the one-page build of the book (the root page of _build/singlehtml) to a PDF with headless
Chromium, the browser the tests drive: the whole book, its figures, rendered formulas and code
(long lines wrapped, never clipped), with page numbers, a bookmark for each heading, and tags
(the structure screen readers and reflowing PDF readers follow).

    python scripts/print_pdf.py SINGLEHTML_DIR OUTPUT.pdf

scripts/pdf.sh builds the one-page book and calls this; it needs no TeX installation.
"""

import functools
import http.server
import os
import sys
import threading
from pathlib import Path

import pikepdf
from playwright.sync_api import sync_playwright
from toc import pages

from lesson5.atomic import temp_beside

CHROMIUM = os.environ.get("LESSON5_CHROMIUM", "/usr/bin/chromium")

# Every image loaded, every formula typeset and every font in use loaded before printing.
# These are waited for by name: Playwright's "networkidle" never came in about half the runs on
# a busy 2-core machine, with no request left open (30 s, then the print failed).
_SETTLE = """
async () => {
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all(Array.from(document.images, (img) => img.complete ? null :
    new Promise((done) => { img.onload = img.onerror = done; })));
  if (window.MathJax?.startup?.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
}
"""

# singlehtml links the book's own pages as book/intro.html#target. Printed from book.html,
# Chromium would turn each into a web link to this short-lived server; within the one page each
# becomes a jump inside the PDF, and a link to any other file of the site (a workbook, the PDF
# itself) becomes plain text.
_LOCAL_LINKS = """
() => {
  for (const link of document.querySelectorAll('a[href]')) {
    const url = new URL(link.href);
    if (url.origin !== location.origin) { continue; }
    const target = url.hash && document.getElementById(decodeURIComponent(url.hash.slice(1)));
    if (target) { link.setAttribute('href', url.hash); } else { link.removeAttribute('href'); }
  }
}
"""

# Each heading the printed book shows, in the order it prints them, in its own words: the titles
# of the PDF's bookmarks. Chromium makes a bookmark of each heading but takes its title from the
# printed lines, and garbled 17 of 120: a line's break lost its space ("scratch, and
# back-propagation" came out "andback-propagation"), or the title came twice ("The chaptersThe
# chapters"). The "#" that links each heading on the site is not printed.
_HEADINGS = """
() => Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6, [role="heading"]'))
  .filter((heading) => heading.checkVisibility())
  .map((heading) => Array.from(heading.childNodes)
    .filter((node) => !node.classList?.contains('headerlink'))
    .map((node) => node.textContent).join('').replace(/\\s+/g, ' ').trim())
"""

# The page's margins, and the width of the text between them in CSS pixels: the window the book
# is laid out in, so that what _static/print-fit.js measures is what the PDF prints.
MARGIN_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}
TEXT_WIDTH_PX = round((210 - MARGIN_MM["left"] - MARGIN_MM["right"]) / 25.4 * 96)

_FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def _bookmarks(outline):
    """Every bookmark of `outline`, each before those under it: the order of the headings."""
    for item in outline:
        yield item
        yield from _bookmarks(item.children)


def _letters(text):
    return "".join(text.split())


def _finish(printed, output, headings):
    """Writes Chromium's PDF `printed` to `output`, its bookmarks titled by `headings` and its
    objects packed into compressed streams: the tags' 75,000 small objects, each stored on its
    own, had made the book 15.6 MB (5.5 MB untagged; packed, 6.7 MB)."""
    with pikepdf.open(printed) as pdf:
        with pdf.open_outline() as outline:
            bookmarks = list(_bookmarks(outline.root))
            if len(bookmarks) != len(headings):
                sys.exit(f"print_pdf: Chromium made {len(bookmarks)} bookmarks for the book's "
                         f"{len(headings)} printed headings: their titles cannot be matched")
            for bookmark, title in zip(bookmarks, headings):
                # Chromium's title, garbled or not, holds the heading's letters: one that does
                # not is another heading's, and every title from there on would be wrong.
                if _letters(title) not in _letters(bookmark.title):
                    sys.exit(f"print_pdf: the bookmark {bookmark.title!r} stands where the "
                             f"heading {title!r} is printed: their titles cannot be matched")
                bookmark.title = title
        # A name of its own, so that two prints at once do not write one file.
        with temp_beside(output) as part:
            pdf.save(part, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            os.replace(part, output)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def print_book(singlehtml, output):
    # The book's first page, which singlehtml writes the whole book into.
    root = pages()[0] + ".html"
    if not (singlehtml / root).is_file():
        sys.exit(f"print_pdf: no {singlehtml / root}; build the one-page book first "
                 "(bash scripts/pdf.sh does)")
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"print_pdf: no Chromium at {CHROMIUM}; run  bash scripts/install-browser.sh --pdf")
    # Chromium's print, before _finish: beside the one-page book, not in the site it publishes.
    printed = singlehtml.parent / (output.name + ".chromium")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(singlehtml))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 900})
            page.emulate_media(media="print", color_scheme="light")
            # singlehtml writes the book into the root page's path (book/intro.html) but links
            # its assets as if it stood at the top of the folder, so it is served from there.
            page.route("**/book.html", lambda route: route.fulfill(
                path=singlehtml / root, content_type="text/html; charset=utf-8"))
            page.goto(f"http://127.0.0.1:{server.server_port}/book.html", wait_until="load")
            page.evaluate(_SETTLE)
            page.evaluate(_LOCAL_LINKS)
            headings = page.evaluate(_HEADINGS)
            output.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(printed), format="A4", print_background=True,
                margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
                display_header_footer=True, header_template="<span></span>",
                footer_template=_FOOTER, outline=True, tagged=True,
            )
            browser.close()
        _finish(printed, output, headings)
    finally:
        server.shutdown()
        printed.unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print_book(Path(sys.argv[1]), Path(sys.argv[2]))
