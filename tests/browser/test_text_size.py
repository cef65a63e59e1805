"""Text a reader enlarges to 200% (WCAG 1.4.4, Resize Text: by the browser's font size or its
text zoom, with the window's width unchanged) keeps all its content (_static/reader.css): an
inline formula wider than the column scrolls, marked and reachable by keyboard as a display
formula is (_static/scroll-cues.js), instead of being cut off; a word longer than its line
breaks instead of running past the screen; the header's buttons wrap onto a second row on a
phone; and the "On this page" column leaves the article room for its headings. At the default
size nothing of this shows: no inline formula scrolls, the header keeps its one row.
"""

import pytest
from site_pages import settle, toc_pages

PAGES = toc_pages()
# The root font size twice the browser's: every size the site sets in rem doubles, as with the
# browser's own font-size setting at 32 px.
ENLARGED = "html { font-size: 200% !important; }"
# Chapter 03's binary cross-entropy and 05's AdamW step were cut by 250 to 300 px at 200%.
FORMULA_PAGES = ["book/03_cross_entropy", "book/05_weight_decay"]

_INLINE_FORMULAS = """() => Array.from(document.querySelectorAll('span.math'))
  .filter((m) => m.checkVisibility())
  .map((m) => ({
    text: m.textContent.trim().slice(0, 40),
    hidden: m.scrollWidth - m.clientWidth,
    overflow: getComputedStyle(m).overflowX,
    tabIndex: m.tabIndex,
    marked: m.classList.contains('lesson5-more-right'),
  }))"""

# Each element of the article whose box ends past the article's right edge, where no box
# around it scrolls or clips (those show their own overflow).
_PAST_THE_ARTICLE = """() => {
  const article = document.querySelector('article');
  const right = article.getBoundingClientRect().right;
  const inScrollingBox = (el) => {
    for (let p = el.parentElement; p && p !== article; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  return Array.from(article.querySelectorAll('*'))
    .filter((el) => el.checkVisibility() && el.getBoundingClientRect().width > 0
      && el.getBoundingClientRect().right > right + 1 && !inScrollingBox(el))
    .map((el) => `${el.localName}.${[...el.classList].join('.')}: ${el.textContent.trim().slice(0, 40)}`
      + ` (${Math.round(el.getBoundingClientRect().right - right)} px past)`);
}"""


def _enlarged(reader, site_url, page, width):
    """`page` at `width` px with its text at 200%, once the scroll cues have marked its boxes."""
    browser_page = reader(width)
    browser_page.goto(f"{site_url}{page}.html", wait_until="load")
    settle(browser_page)
    browser_page.add_style_tag(content=ENLARGED)
    browser_page.wait_for_function(
        f"""() => ({_INLINE_FORMULAS})().every((f) => (f.hidden > 1) === f.marked)""", timeout=5000)
    return browser_page


@pytest.mark.parametrize("page", PAGES)
def test_at_the_default_size_no_inline_formula_scrolls(shown, page):
    # MathJax's copy of a formula for screen readers, clipped but laid out at full width, made
    # every inline formula wider than its box: as scrolling boxes they would all fade and take
    # the keyboard's focus.
    wide = [f for f in shown(page, 390).evaluate(_INLINE_FORMULAS) if f["hidden"] > 1]
    assert not wide, f"{page} at 390 px: inline formulas wider than their box: {wide[:5]}"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page", FORMULA_PAGES)
def test_at_200_percent_an_inline_formula_wider_than_the_column_scrolls(reader, site_url, page, width):
    formulas = _enlarged(reader, site_url, page, width).evaluate(_INLINE_FORMULAS)
    wide = [f for f in formulas if f["hidden"] > 1]
    assert wide, f"{page} at {width} px, text at 200%: no inline formula is wider than the column"
    cut = [f for f in wide if f["overflow"] != "auto" or f["tabIndex"] != 0 or not f["marked"]]
    assert not cut, (f"{page} at {width} px, text at 200%: formulas cut off, unmarked or out of the "
                     f"keyboard's reach: {cut[:5]}")


@pytest.mark.parametrize("page", ["book/01_data", "book/02_from_scratch", "book/05_weight_decay",
                                  "book/bibliography"])
def test_at_200_percent_on_a_phone_no_word_runs_past_the_article(reader, site_url, page):
    # 02's "approximation" in a heading, 05's "Regularization" in its title, 01's DOI address
    # and a word of the bibliography ran up to 230 px past a 390 px screen.
    past = _enlarged(reader, site_url, page, 390).evaluate(_PAST_THE_ARTICLE)
    assert not past, f"{page} at 390 px, text at 200%: {past[:5]}"


_COLUMNS = """() => {
  const toc = document.querySelector('.bd-sidebar-secondary').getBoundingClientRect();
  const title = document.querySelector('article h1').getBoundingClientRect();
  return {toc: toc.width, tocLeft: toc.left, titleRight: title.right,
          rem: parseFloat(getComputedStyle(document.documentElement).fontSize)};
}"""


def test_at_200_percent_the_on_this_page_column_leaves_the_article_its_title(reader, site_url):
    # 17rem became 544 of 1,280 px, and chapter titles ran under it.
    columns = _enlarged(reader, site_url, "book/05_weight_decay", 1280).evaluate(_COLUMNS)
    assert columns["toc"] <= 0.23 * 1280 + 1, columns
    assert columns["titleRight"] <= columns["tocLeft"] + 1, columns


def test_at_the_default_size_the_on_this_page_column_keeps_its_width(shown):
    columns = shown("book/05_weight_decay", 1280).evaluate(_COLUMNS)
    assert columns["toc"] == pytest.approx(17 * columns["rem"], abs=1), columns


_HEADER = """() => ({
  width: window.innerWidth,
  height: document.querySelector('.bd-header-article').getBoundingClientRect().height,
  buttons: Array.from(document.querySelectorAll('.bd-header-article :is(button, a.btn)'))
    .filter((b) => b.checkVisibility())
    .map((b) => ({name: b.getAttribute('aria-label') || b.title || b.className,
                  left: b.getBoundingClientRect().left, right: b.getBoundingClientRect().right,
                  top: b.getBoundingClientRect().top})),
})"""


def test_at_200_percent_on_a_phone_every_header_button_is_on_screen(reader, site_url):
    # Search and "On this page" lay past a 390 px screen's edge, in a header 531 px wide.
    header = _enlarged(reader, site_url, "book/04_optimizers", 390).evaluate(_HEADER)
    off = [b for b in header["buttons"] if b["left"] < -1 or b["right"] > header["width"] + 1]
    assert len(header["buttons"]) >= 6 and not off, f"header buttons off a 390 px screen: {off}"


@pytest.mark.parametrize("width, height", [(390, 56), (1280, 48)])
def test_at_the_default_size_the_header_keeps_its_one_row(shown, width, height):
    header = shown("book/04_optimizers", width).evaluate(_HEADER)
    assert header["height"] == pytest.approx(height, abs=1), header
    # Buttons of different kinds sit a few pixels apart; a second row would be a button's height below.
    tops = [b["top"] for b in header["buttons"]]
    assert max(tops) - min(tops) < 16, f"header buttons on two rows: {header}"


_EXPLORER = """() => {
  const box = document.querySelector('.optimizer-explorer').closest('.output');
  const right = box.getBoundingClientRect().right;
  return {hidden: box.scrollWidth - box.clientWidth,
          past: Array.from(box.querySelectorAll('.explorer-controls *'))
            .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > right + 1)
            .map((el) => `${el.localName}.${el.className}`)};
}"""


def test_at_200_percent_on_a_phone_the_explorer_controls_fit_the_column(reader, site_url):
    # Its two columns of optimizers ran 180 px past a 390 px screen, and every slider's row with
    # them: the sliders' right ends were only seen by scrolling the box.
    page = _enlarged(reader, site_url, "book/04_optimizers", 390)
    page.wait_for_selector(".optimizer-explorer .explorer-options")
    explorer = page.evaluate(_EXPLORER)
    assert explorer["hidden"] <= 1 and not explorer["past"], f"text at 200% at 390 px: {explorer}"


def test_at_the_default_size_the_explorer_keeps_its_optimizers_two_by_two(shown):
    page = shown("book/04_optimizers", 320)
    tops = page.evaluate("""() => Array.from(document.querySelectorAll(
        '.optimizer-explorer .explorer-option')).map((o) => Math.round(o.getBoundingClientRect().top))""")
    assert len(tops) == 4 and len(set(tops)) == 2, f"the optimizers' rows at 320 px: {tops}"
