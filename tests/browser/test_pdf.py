"""The downloadable PDF of the whole book (scripts/pdf.sh): it exists where the front page
links to it, holds every chapter, each bookmarked and each link to it landing on its first page,
its code is wrapped, not clipped, at the page's width, and its widest tables print on pages
turned sideways.

The PDF is Chromium's print of the one-page build (_build/singlehtml), so its layout is
checked on that page in print mode at the width of an A4 page's text (210 mm less 2 x 16 mm).
"""

import re

import pikepdf
import pytest
from site_pages import QUOTE_WIDTHS, SITE, settle, toc_pages

from conftest import _serving

PDF = SITE / "lesson5-executable.pdf"
SINGLEHTML = SITE.parent / "singlehtml"
PAGES = toc_pages()
# As scripts/print_pdf.py lays the book out (its TEXT_WIDTH_PX; the scripts are not a package
# the browser tests import).
A4_TEXT_WIDTH_PX = round((210 - 2 * 16) / 25.4 * 96)
# The text width of a page turned sideways (reader.css's @page lesson5-landscape, whose side
# margins print-fit.js's LANDSCAPE_TEXT_WIDTH takes), on which the widest tables print.
A4_LANDSCAPE_TEXT_WIDTH_PX = int((297 - 2 * 16) / 25.4 * 96)


@pytest.fixture(scope="module")
def pdf():
    if not PDF.is_file():
        pytest.fail(f"no {PDF}: build it with `bash scripts/pdf.sh` (scripts/test.sh does)")
    with pikepdf.open(PDF) as book:
        yield book


def test_pdf_is_built_and_has_the_whole_book(pdf):
    pages = len(pdf.pages)
    print(f"{PDF.name}: {pages} pages, {PDF.stat().st_size / 1e6:.1f} MB")
    assert pages >= 10 * len(PAGES) // 2, f"{PDF.name} has only {pages} pages"
    # The one-page build is checked page by page below; the PDF must be its print, not an
    # earlier one's (pikepdf reads the PDF's structure, not the text it prints).
    printed_from = SINGLEHTML / f"{PAGES[0]}.html"
    assert PDF.stat().st_mtime >= printed_from.stat().st_mtime, (
        f"{PDF.name} is older than the one-page build it is printed from: run `bash scripts/pdf.sh`"
    )


def test_front_page_links_to_the_pdf(offline_context, site_url):
    page = offline_context.new_page()
    page.goto(f"{site_url}{PAGES[0]}.html", wait_until="load")
    links = page.locator("article a[href$='.pdf']").evaluate_all("a => a.map(l => l.href)")
    page.close()
    assert links == [f"{site_url}{PDF.name}"], f"{PAGES[0]}: PDF links {links}"


# Each table or printed output that runs past its box (_static/print-fit.js scales those), of
# those printed on upright pages; with "landscape", of those printed on pages turned sideways.
_OVERFLOWING = """(landscape) => Array.from(
    document.querySelectorAll('.cell_output .output, .pst-scrollable-table-container'))
  .filter((box) => box.checkVisibility() && box.classList.contains('print-landscape') === Boolean(landscape)
          && box.scrollWidth > box.clientWidth + 1)
  .map((box) => `${box.scrollWidth} px in ${box.clientWidth}: ${box.innerText.slice(0, 40)}`)"""
_LANDSCAPE = """() => Array.from(document.querySelectorAll('.print-landscape'),
                            (box) => [Number(box.style.zoom || 1), box.innerText.slice(0, 40)])"""


def _overflowing_sideways(browser_page):
    """The boxes to be printed sideways that run past that page's text. Chromium lays a page
    turned sideways out at that page's width, with the media queries of the whole print: the
    page is measured with its root as wide as that, in the same window."""
    root = "document.documentElement.style.width"
    browser_page.evaluate(f"() => {{ {root} = '{A4_LANDSCAPE_TEXT_WIDTH_PX}px'; }}")
    try:
        return browser_page.evaluate(_OVERFLOWING, True)
    finally:
        browser_page.evaluate(f"() => {{ {root} = ''; }}")


@pytest.fixture(scope="module")
def printed_book(browser):
    root = SINGLEHTML / f"{PAGES[0]}.html"
    if not root.is_file():
        pytest.fail(f"no one-page build at {root}: run `bash scripts/pdf.sh`")
    with _serving(SINGLEHTML) as url:
        context = browser.new_context(viewport={"width": A4_TEXT_WIDTH_PX, "height": 1100})
        page = context.new_page()
        page.emulate_media(media="print")
        # As scripts/print_pdf.py serves it: the root page at the top of the folder.
        page.route("**/book.html", lambda route: route.fulfill(
            path=root, content_type="text/html; charset=utf-8"))
        page.goto(f"{url}book.html", wait_until="load")
        settle(page)
        yield page
        context.close()


def test_printed_book_holds_every_page(printed_book):
    sections = printed_book.evaluate(
        "() => Array.from(document.querySelectorAll('span[id^=\"document-\"]'),"
        " (s) => s.id.slice('document-'.length))"
    )
    missing = [page for page in PAGES[1:] if page not in sections]
    assert not missing, f"the one-page book lacks {missing}"


def test_printed_tables_and_outputs_fit_the_page(printed_book):
    # A wide table cannot scroll on paper: _static/print-fit.js scales it to the page's width.
    clipped = printed_book.evaluate(_OVERFLOWING)
    assert not clipped, f"{len(clipped)} tables or outputs run past the printed page: {clipped[:5]}"


def test_the_widest_tables_print_on_pages_turned_sideways(pdf, printed_book):
    # Scaled to an upright page's width, 01's crosstab, 04's workbook table and 06's two tables
    # printed at less than half their size, about 6 pt.
    sideways = printed_book.evaluate(_LANDSCAPE)
    assert sideways, "no table is printed on a page turned sideways"
    small = [text for zoom, text in sideways if zoom < 0.6]
    assert not small, f"tables printed sideways at less than 60% of their size: {small}"
    clipped = _overflowing_sideways(printed_book)
    assert not clipped, f"tables run past the page turned sideways: {clipped}"
    turned = [number for number, page in enumerate(pdf.pages, start=1)
              if float(page.mediabox[2]) > float(page.mediabox[3])]
    assert 1 <= _runs(turned) <= len(sideways), (
        f"{len(sideways)} tables to print sideways, on pages {turned} of the PDF turned sideways"
    )


def _runs(numbers):
    """How many runs of consecutive numbers `numbers` (ascending) holds: a table sent sideways
    prints on one page or more in a row, and tables next to each other share them."""
    return sum(1 for i, number in enumerate(numbers) if i == 0 or numbers[i - 1] != number - 1)


def _links(pdf):
    """Each link of the PDF: its page's number and what it leads to (a web address or a
    destination's name)."""
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A", {})
            target = action.get("/URI") if "/URI" in action else annotation.get("/Dest", action.get("/D"))
            yield number, str(target)


def _page_of(pdf, destination):
    """The number of the page a named destination (or a bookmark's) is on."""
    if isinstance(destination, (str, pikepdf.Name, pikepdf.String)):
        destination = pdf.Root.Dests[f"/{str(destination).lstrip('/')}"]
    if isinstance(destination, pikepdf.Dictionary):
        destination = destination.D
    return pikepdf.Page(destination[0]).index + 1


def test_pdf_links_jump_inside_it_not_to_the_server_that_printed_it(pdf):
    links = list(_links(pdf))
    local = [link for link in links if "127.0.0.1" in link[1]]
    assert not local, f"links to the local server scripts/print_pdf.py printed from: {local[:5]}"
    inside = [link for link in links if not link[1].startswith(("http:", "https:", "mailto:"))]
    assert len(inside) > 100, f"only {len(inside)} of the PDF's {len(links)} links lead within it"


def _bookmarks(outline):
    for item in outline:
        yield item
        yield from _bookmarks(item.children)


def test_pdf_bookmarks_each_chapter_where_its_links_lead(pdf, printed_book):
    # The bookmarks were missing; links to a chapter landed on the page before its first; and
    # Chromium's own bookmark titles ran a title's lines together ("andback-propagation").
    titles = printed_book.evaluate(
        """(pages) => pages.map((page) => document.getElementById(`document-${page}`)
             .nextElementSibling.querySelector('h1, h2').firstChild.textContent.replace(/\\s+/g, ' ').trim())""",
        PAGES[1:],
    )
    with pdf.open_outline() as outline:
        bookmarks = {item.title: _page_of(pdf, item.destination) for item in _bookmarks(outline.root)}
    astray = {}
    for page, title in zip(PAGES[1:], titles):
        linked = _page_of(pdf, f"document-{page}")
        if bookmarks.get(title) != linked:
            astray[title] = f"bookmark on page {bookmarks.get(title)}, links lead to page {linked}"
    assert not astray, f"chapters whose bookmark and links disagree: {astray}"


def test_pdf_is_tagged_for_screen_readers(pdf):
    assert "/StructTreeRoot" in pdf.Root and str(pdf.Root.get("/Lang", "")).startswith("en"), (
        f"{PDF.name} carries no structure for screen readers, or no language"
    )


def test_printed_citations_lead_to_their_bibliography_entries(printed_book):
    links = printed_book.evaluate(
        """() => Array.from(document.querySelectorAll('.bibtex-citation a[href*="#"]'), (a) => {
             const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
             return [a.innerText, target?.closest('div.citation')?.querySelector('.label')?.innerText ?? null];
           })"""
    )
    assert len(links) > 50, f"only {len(links)} citations in the one-page book"
    astray = [text for text, label in links if label is None]
    assert not astray, f"{len(astray)} of {len(links)} citations lead to no bibliography entry: {astray[:5]}"


def test_printed_solutions_are_open_and_no_control_is_printed(printed_book):
    printed = printed_book.evaluate(
        """() => {
          const shown = (el) => {
            const style = getComputedStyle(el);
            return style.display !== 'none' && style.visibility === 'visible' && style.opacity === '1'
              && el.getBoundingClientRect().height > 0;
          };
          return {
            solutions: Array.from(document.querySelectorAll('.solution'),
              (s) => shown(s.querySelector('.admonition-title ~ *'))),
            buttons: Array.from(document.querySelectorAll('button.toggle-button')).filter(shown).length,
            controls: Array.from(document.querySelectorAll('.explorer-controls')).filter(shown).length,
          };
        }"""
    )
    assert len(printed["solutions"]) >= 7 and all(printed["solutions"]), printed["solutions"]
    assert printed["buttons"] == 0 and printed["controls"] == 0, printed


def test_printed_chapters_start_a_page_and_leave_folded_code_out(printed_book):
    # The page breaks before the mark a link to the chapter leads to: after it, as before, the
    # PDF's links to a chapter landed on the page before the chapter's first.
    printed = printed_book.evaluate(
        """() => ({
          starts: Array.from(document.querySelectorAll('span[id^="document-"]'),
            (s) => `${getComputedStyle(s).display} ${getComputedStyle(s).breakBefore}`),
          folded: Array.from(document.querySelectorAll('details.hide:not([open])'),
            (d) => getComputedStyle(d).display),
        })"""
    )
    assert len(printed["starts"]) >= len(PAGES) - 1, printed["starts"]
    assert set(printed["starts"]) == {"block page"}, printed["starts"]
    assert printed["folded"] and set(printed["folded"]) == {"none"}, printed["folded"]


def test_printed_bibliography_is_a_list_of_items(printed_book):
    # As on the site (_ext/bibliography_entries.py): a list may hold list items only.
    roles = printed_book.evaluate(
        "() => Array.from(document.querySelectorAll('div.citation'), (entry) => entry.getAttribute('role'))"
    )
    assert len(roles) > 20 and set(roles) == {"listitem"}, sorted(set(roles))


def test_printed_pages_keep_their_languages(printed_book):
    # One <html lang="en"> for the whole book: a page in another language says so on its section.
    chinese = [page for page in PAGES if page.endswith("_zh")]
    langs = printed_book.evaluate(
        """(pages) => pages.map((page) => document.getElementById(`document-${page}`)
             ?.nextElementSibling?.closest('[lang]')?.lang ?? null)""",
        chinese,
    )
    assert chinese and all(lang and lang.startswith("zh") for lang in langs), dict(zip(chinese, langs))
    # And are set as such: Chinese quotation marks full-width, not in the Latin font's narrow marks.
    mark, character = printed_book.evaluate(QUOTE_WIDTHS, "section[lang|='zh']")
    assert mark >= 0.9 * character, f"printed, a Chinese quotation mark {mark:.1f} px wide beside {character:.1f}"


def test_printed_code_is_wrapped_not_clipped(printed_book):
    clipped = printed_book.evaluate(
        """() => Array.from(document.querySelectorAll('pre'))
             .filter((pre) => pre.scrollWidth > pre.clientWidth)
             .map((pre) => pre.innerText.split('\\n')[0].slice(0, 60))"""
    )
    assert not clipped, f"{len(clipped)} code blocks run past the printed page: {clipped[:5]}"


def _next_frame(browser_page):
    """Waits for the page's next frame. A media query's `matches` changes at once, but its
    change listeners (print-fit.js's, which fit the tables) run at the next frame, before that
    frame's animation callbacks."""
    browser_page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")


def _printing(browser_page):
    """What a browser does as a reader presses Ctrl+P: it tells the page, then lays it out for
    print (Chromium then tells the page's "print" media query)."""
    browser_page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    browser_page.emulate_media(media="print")
    browser_page.wait_for_function("() => window.matchMedia('print').matches", timeout=30000)
    _next_frame(browser_page)


def test_a_chapter_printed_from_the_site_fits_its_tables_to_the_page(reader, site_url):
    # Scaled only when the page was opened in print media, as the PDF's is: a reader's Ctrl+P
    # cut chapter 03's three widest tables at the page's edge ("target*l" for its heading).
    browser_page = reader(A4_TEXT_WIDTH_PX)
    browser_page.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    settle(browser_page)
    assert browser_page.evaluate(_OVERFLOWING), f"{PAGES[3]}: no box wider than {A4_TEXT_WIDTH_PX} px on screen"
    _printing(browser_page)
    wide = browser_page.evaluate(_OVERFLOWING)
    assert not wide, f"{PAGES[3]} printed: boxes run past the page: {wide[:5]}"
    # Back on screen, they scroll as before.
    browser_page.emulate_media(media="screen")
    browser_page.wait_for_function(f"() => ({_OVERFLOWING})().length > 0", timeout=30000)


def test_a_chapter_a_reader_prints_prints_its_widest_table_sideways_and_whole(reader, site_url, tmp_path):
    # 06's spreadsheet tables, scaled to an upright page, printed at less than half their size.
    # A real print, not emulated: there Chromium lays the page turned sideways out at its own
    # width while the script measures (an emulated print does not), and a first version, which
    # widened it once more, printed the table cut at its eleventh column.
    chapter = next(page for page in PAGES if page.endswith("06_collab"))
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}{chapter}.html", wait_until="load")
    settle(browser_page)
    # Called after print-fit.js's own listener, in the print's layout: each box it sent sideways.
    browser_page.evaluate("""() => {
      window.printedSideways = [];
      window.matchMedia('print').addEventListener('change', (media) => {
        if (!media.matches) { return; }
        for (const box of document.querySelectorAll('.print-landscape')) {
          window.printedSideways.push([Number(box.style.zoom || 1), box.scrollWidth, box.clientWidth]);
        }
      });
    }""")
    printed = tmp_path / "06.pdf"
    # Chromium's own default margins, about 10 mm.
    margins = {side: "10mm" for side in ("top", "bottom", "left", "right")}
    browser_page.pdf(path=str(printed), format="A4", margin=margins)
    sideways = browser_page.evaluate("() => window.printedSideways")
    assert sideways, f"{chapter} printed: no table was sent to a page turned sideways"
    for zoom, scrolled, width in sideways:
        assert zoom >= 0.6 and scrolled <= width + 1, (
            f"{chapter} printed: a table sideways at {zoom:.2f} of its size, {scrolled} px in {width}"
        )
    with pikepdf.open(printed) as pdf:
        turned = [number for number, page in enumerate(pdf.pages, start=1)
                  if float(page.mediabox[2]) > float(page.mediabox[3])]
    assert 1 <= _runs(turned) <= len(sideways), (
        f"{chapter} printed: {len(sideways)} tables sideways, on pages {turned} turned sideways"
    )
    _next_frame(browser_page)
    assert not browser_page.evaluate("() => document.querySelector('.print-landscape')"), (
        "back on screen, a table is still marked for a page turned sideways"
    )


def _brightness(colour):
    """0 for black to 1 for white, from a computed colour such as 'rgb(18, 18, 18)'."""
    red, green, blue = (int(part) for part in re.findall(r"\d+", colour)[:3])
    return (0.299 * red + 0.587 * green + 0.114 * blue) / 255


def test_a_page_printed_in_dark_mode_prints_light(reader, site_url):
    # The page's dark colours went to paper: pale text, or with backgrounds printed, a dark page
    # on which the headings all but vanished.
    browser_page = reader(1280, color_scheme="dark")
    browser_page.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    theme = "() => document.documentElement.dataset.theme"
    assert browser_page.evaluate(theme) == "dark"
    _printing(browser_page)
    text, background = browser_page.evaluate("""() => [getComputedStyle(document.body).color,
                                                        getComputedStyle(document.body).backgroundColor]""")
    assert _brightness(text) < 0.3 and _brightness(background) > 0.9, (
        f"printed in the {browser_page.evaluate(theme)} theme: text {text} on {background}"
    )
    browser_page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    assert browser_page.evaluate(theme) == "dark", "the page stays light after printing"
