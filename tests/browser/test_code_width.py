"""Code and printed output fit the column on a desktop (1280 px): no line of a code cell, of
its output, or of the package's code that a chapter includes runs past the right edge, where
a reader would have to scroll sideways to read it (and the PDF would lose it). A failure
lists each chapter's lines that are too long, with the number of characters the column
holds. Display formulas fit even a phone's column (390 px): one cut at its edge can look
complete, so they are written a step per line. And no page scrolls sideways at 320 px.
"""

import pytest
from site_pages import chapter_pages, toc_pages

CHAPTERS = chapter_pages()

# For each code block that scrolls sideways, in a cell (source or output) or included from the
# package ({literalinclude}): how many characters of its font fit, and which of its lines are
# longer; and how many of the page's blocks are cells' code, which the check must see.
_OVERFLOWING = """
() => {
  const found = [];
  const blocks = document.querySelectorAll('article pre');
  for (const pre of blocks) {
    if (pre.scrollWidth <= pre.clientWidth) { continue; }
    const probe = document.createElement('span');
    probe.textContent = 'x'.repeat(100);
    pre.appendChild(probe);
    const charWidth = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const style = getComputedStyle(pre);
    const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const fits = Math.floor(room / charWidth);
    // textContent, not innerText: a solution's code is hidden in a closed dropdown.
    const lines = pre.textContent.split('\\n').filter((line) => line.length > fits);
    found.push({
      where: pre.closest('.cell_input') ? 'code' : pre.closest('.cell_output') ? 'output' : 'included',
      fits: fits,
      lines: lines,
    });
  }
  const cells = Array.from(blocks).filter((pre) => pre.closest('.cell_input')).length;
  return {cells: cells, found: found};
}
"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_and_output_fit_the_column(shown, chapter):
    seen = shown(chapter).evaluate(_OVERFLOWING)
    assert seen["cells"], f"{chapter}: no code cell found to measure"
    blocks = seen["found"]
    if not blocks:
        return
    fits = min(block["fits"] for block in blocks)
    lines = [
        f"[{block['where']}, {len(line)} chars] {line}"
        for block in blocks
        for line in block["lines"]
    ]
    pytest.fail(
        f"{chapter}: {len(blocks)} code blocks scroll sideways at 1280 px (the column holds "
        f"{fits} characters); {len(lines)} lines too long:\n" + "\n".join(lines)
    )


_WIDE_FORMULAS = """
() => Array.from(document.querySelectorAll("mjx-container[display='true']"))
  .filter((formula) => formula.scrollWidth > formula.clientWidth + 1)
  .map((formula) => `${formula.scrollWidth} px in ${formula.clientWidth}: ${formula.textContent.slice(0, 60)}`)
"""


@pytest.mark.parametrize("page", toc_pages())
def test_display_formulas_fit_a_phones_column(shown, page):
    wide = shown(page, 390).evaluate(_WIDE_FORMULAS)
    assert not wide, f"{page} at 390 px: break these formulas into lines (aligned): {wide}"


# Inline formulas that a line break parts from the punctuation written against them: a
# closing mark (",", ")", ...) that starts a line after the formula, or an opening one ("(")
# that ends the line before it. Formulas in closed folds take no room and are not read.
_PARTED_FROM_PUNCTUATION = """
() => {
  const mark = (text, at) => {
    const range = document.createRange();
    range.setStart(text, at);
    range.setEnd(text, at + 1);
    return range.getBoundingClientRect();
  };
  const isText = (node) => node && node.nodeType === Node.TEXT_NODE;
  const parted = [];
  for (const math of document.querySelectorAll('span.math')) {
    const box = math.getBoundingClientRect();
    if (!box.width) { continue; }
    const after = math.nextSibling, before = math.previousSibling;
    if (isText(after) && /^[,.;:!?)\\]\u2019\u201d]/.test(after.data)
        && mark(after, 0).left < box.left) {
      parted.push(`${math.textContent.slice(0, 40)} | ${after.data.slice(0, 12)}`);
    }
    if (isText(before) && /[(\\[\u2018\u201c]$/.test(before.data)
        && mark(before, before.data.length - 1).left > box.left) {
      parted.push(`${before.data.slice(-12)} | ${math.textContent.slice(0, 40)}`);
    }
  }
  return parted;
}
"""


@pytest.mark.parametrize("width", [1280, 390, 320])
@pytest.mark.parametrize("page", toc_pages())
def test_no_line_parts_a_formula_from_its_punctuation(shown, page, width):
    # MathJax draws an inline formula as one box, and a browser may break a line on either
    # side of it: 04 at 1280 px and 02 at 390 started a line with a formula's comma or colon
    # (_ext/math_punctuation.py).
    parted = shown(page, width).evaluate(_PARTED_FROM_PUNCTUATION)
    assert not parted, f"{page} at {width} px: a line break parts these formulas from their punctuation: {parted}"


# What sticks out past the right edge of the window, innermost first, outside any box that
# scrolls or clips it (those have their own cue: tests/browser/test_scroll_cues.py).
_STICKING_OUT = """
() => {
  const width = document.documentElement.clientWidth;
  const out = (el) => el.getBoundingClientRect().right > width + 1;
  const clipped = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX)) { return true; }
    }
    return false;
  };
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => out(el) && !Array.from(el.children).some(out) && !clipped(el))
    .map((el) => `${el.localName}.${el.className}: ${el.textContent.slice(0, 50)}`);
}
"""


@pytest.mark.parametrize("page", toc_pages())
def test_no_page_scrolls_sideways_at_320_px(shown, page):
    # WCAG's reflow criterion (1.4.10): at 320 CSS px, what a phone or a desktop zoomed to 400%
    # shows, a page reads top to bottom. Long inline code names and a heading's link mark
    # pushed 01, 03, 05 and the bibliography sideways (_static/reader.css).
    browser_page = shown(page, 320)
    wide = browser_page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 320, f"{page} is {wide} px wide at 320: {browser_page.evaluate(_STICKING_OUT)}"


# Headings that a hidden link mark makes taller, by a line of their own: their height with the
# mark against without it.
_GROWN_BY_MARK = """() => Array.from(document.querySelectorAll('a.headerlink'))
  .filter((a) => a.checkVisibility() && a.closest('h1, h2, h3, h4, h5, h6, dt'))
  .map((a) => {
    const heading = a.parentElement;
    const height = heading.getBoundingClientRect().height;
    a.style.display = 'none';
    const without = heading.getBoundingClientRect().height;
    a.style.display = '';
    return [heading.textContent.trim().slice(0, 40), height, without];
  })
  .filter(([, height, without]) => height > without + 1)"""
# The previous and next links whose words are cut off, by their box or by the screen's edge.
_CUT_PAGE_LINKS = """() => Array.from(document.querySelectorAll('.prev-next-area a'))
  .filter((a) => a.scrollWidth > a.clientWidth + 1 || a.getBoundingClientRect().right > innerWidth)
  .map((a) => a.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50))"""


@pytest.mark.parametrize("page", toc_pages())
def test_on_a_phone_no_heading_gets_a_blank_line_and_no_page_link_is_cut(shown, page):
    # The mark that links a heading takes room even hidden: on a phone it took a line of its
    # own under 20 headings. The previous and next links, each capped at 45% of the row, cut
    # long words off ("Regularizati", "N" for "Next"). _static/reader.css, at 36rem and less.
    browser_page = shown(page, 320)
    grown = browser_page.evaluate(_GROWN_BY_MARK)
    assert not grown, f"{page}: headings a line taller for their hidden link mark: {grown}"
    cut = browser_page.evaluate(_CUT_PAGE_LINKS)
    assert not cut, f"{page}: previous or next links cut off at 320 px: {cut}"


# A chapter with pandas tables: 03, whose confusion matrix is one.
TABLES_PAGE = next(p for p in chapter_pages() if "cross_entropy" in p)


def test_neighbouring_numbers_in_a_table_stand_apart(shown):
    # Cells of a pandas table had the browser's 1 px of padding: in 03's confusion matrix
    # "211" and "0" in neighbouring cells read as "2110".
    cells = shown(TABLES_PAGE).locator("table.dataframe td").evaluate_all(
        "tds => tds.map((td) => Math.min(...['paddingLeft', 'paddingRight'].map("
        "(side) => parseFloat(getComputedStyle(td)[side]))))"
    )
    assert cells, f"{TABLES_PAGE} shows no pandas table"
    assert min(cells) >= 4, f"{TABLES_PAGE}: table cells {min(cells)} px from their neighbours' numbers"


@pytest.mark.parametrize("page", chapter_pages())
def test_on_a_phone_an_exercise_gives_its_text_the_screens_width(shown, page):
    # The theme indents an admonition's content 1.4rem on each side, within its own padding:
    # at 320 px an exercise's text, and its solution's code, kept some 205 px of the screen.
    widths = shown(page, 320).evaluate(
        "() => [...document.querySelectorAll('div.exercise p.admonition-title ~ *')]"
        ".map((e) => e.getBoundingClientRect().width)"
    )
    assert widths, f"{page} has no exercise"
    assert min(widths) >= 250, f"{page}: an exercise's text is {min(widths)} px wide at 320 px"


@pytest.mark.parametrize("page", chapter_pages())
def test_on_a_phone_every_figure_is_scaled_to_the_column(shown, page):
    # A figure that stopped scaling to its column would scroll inside its output's box, which
    # fades at the edge: the checks of sideways scrolling would take it for a wide output.
    figures = shown(page, 320).evaluate(
        """() => {
          const column = document.querySelector('article').getBoundingClientRect();
          return Array.from(document.querySelectorAll('article img'), (img) => {
            const box = img.getBoundingClientRect();
            return [img.getAttribute('src'), box.left - column.left, column.right - box.right, box.width];
          });
        }"""
    )
    assert figures, f"{page} shows no figure"
    outside = [(src, round(left), round(right))
               for src, left, right, width in figures if width and min(left, right) < -1]
    assert not outside, f"{page} at 320 px: figures past the column's edge (px left, right): {outside}"


def test_a_table_row_a_finger_touched_keeps_its_stripe(reader, site_url):
    # Without hover, the theme's hover colour stayed on a touched row as if it were picked.
    browser_page = reader(390, touch=True)
    browser_page.goto(f"{site_url}{TABLES_PAGE}.html", wait_until="load")
    row = browser_page.locator("table.dataframe tbody tr").nth(1)
    before = row.evaluate("r => getComputedStyle(r).backgroundColor")
    row.tap()
    after = row.evaluate("r => getComputedStyle(r).backgroundColor")
    assert after == before, f"a touched row turned {after} from {before}"
