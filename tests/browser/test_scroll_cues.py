"""A table, code block, output or formula wider than the column shows that it scrolls sideways: the
edge hiding more fades (_static/scroll-cues.js marks it, _static/reader.css fades it), the
fade follows the reader's scrolling, the window's width and a folded cell opening, a focused
box shows its focus ring instead, and paper, forced colours and a request for more contrast
show no fade.
"""

import pytest
from playwright.sync_api import TimeoutError
from site_pages import chapter_pages, settle, toc_pages

PAGES = toc_pages()
# Chapter 01 shows the ratings crosstab, wider than the column even on a desktop.
CROSSTAB_PAGE = chapter_pages()[0]
# Chapter 05 has display formulas, and a table of the forms of decay wider than a phone.
WEIGHT_DECAY_PAGE = "book/05_weight_decay"
BOXES = (
    ".cell_output .output, .cell_output pre, div.highlight > pre, "
    + ".pst-scrollable-table-container, mjx-container[display='true'], span.math"
)

# Each box: how much of it is hidden to the left and to the right, the marks that says it
# should carry (one per side hiding more than a pixel), and the marks it carries. A box in a
# folded cell hides nothing until the cell opens (its marks come then).
_BOXES = """(selector) => Array.from(document.querySelectorAll(selector), (box, index) => {
  const overflow = getComputedStyle(box).overflowX;
  const scrolls = ['auto', 'scroll'].includes(overflow) && box.checkVisibility();
  const hidden = scrolls ? box.scrollWidth - box.clientWidth : 0;
  const sides = {'lesson5-more-left': box.scrollLeft, 'lesson5-more-right': hidden - box.scrollLeft};
  return {
    index: index,
    what: `${box.localName}.${[...box.classList].join('.')}: ${box.textContent.trim().slice(0, 40)}`,
    left: sides['lesson5-more-left'],
    right: sides['lesson5-more-right'],
    expected: Object.keys(sides).filter((c) => sides[c] > 1),
    marks: Object.keys(sides).filter((c) => box.classList.contains(c)),
    mask: getComputedStyle(box).maskImage,
  };
})"""


def _boxes(browser_page):
    return browser_page.evaluate(_BOXES, BOXES)


def _settled_boxes(browser_page):
    """The boxes once the layout has held still for a quarter of a second and every mark
    agrees with what its box hides, or after 5 s: while a sidebar slides in, the boxes change
    width every frame, and each box's marks follow a frame later."""
    # A layout seen by an earlier call must not count as holding still in this one.
    browser_page.evaluate("() => { window.lesson5LastBoxes = undefined; }")
    try:
        browser_page.wait_for_function(
            f"""(selector) => {{
              const boxes = ({_BOXES})(selector);
              const now = JSON.stringify(boxes);
              const still = window.lesson5LastBoxes === now;
              window.lesson5LastBoxes = now;
              return still && boxes.every((b) => b.marks.join() === b.expected.join());
            }}""",
            arg=BOXES,
            polling=250,
            timeout=5000,
        )
    except TimeoutError:
        pass  # the caller's assertion names the boxes
    return _boxes(browser_page)


def _wrongly_marked(boxes):
    return [
        f"{b['what']!r} hides {b['left']:.0f} px left and {b['right']:.0f} px right, marked {b['marks']}"
        for b in boxes
        if b["marks"] != b["expected"]
    ]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", PAGES)
def test_every_box_that_scrolls_shows_it_and_no_other(shown, page, width):
    wrong = _wrongly_marked(_settled_boxes(shown(page, width)))
    assert not wrong, f"{page} at {width} px: {wrong[:5]}"


# Every element of the article that scrolls sideways, whatever its kind: the check above sees
# only the boxes the script's selector names, so a kind the selector misses would pass it.
_UNMARKED = """() => Array.from(document.querySelectorAll('article *')).filter((el) => {
  const overflow = getComputedStyle(el).overflowX;
  return ['auto', 'scroll'].includes(overflow) && el.checkVisibility()
    && el.scrollWidth > el.clientWidth + 1
    && !el.classList.contains('lesson5-more-left') && !el.classList.contains('lesson5-more-right');
}).map((el) => `${el.localName}.${[...el.classList].join('.')}: ${el.textContent.trim().slice(0, 40)}`)"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", PAGES)
def test_nothing_scrolls_sideways_unmarked(shown, page, width):
    browser_page = shown(page, width)
    _settled_boxes(browser_page)
    unmarked = browser_page.evaluate(_UNMARKED)
    assert not unmarked, f"{page} at {width} px scrolls sideways with no cue: {unmarked[:5]}"


def test_the_check_sees_boxes_that_scroll(shown):
    """Guards the test above: on a phone, chapter 01 has boxes that scroll, each faded."""
    marked = [b for b in _settled_boxes(shown(CROSSTAB_PAGE, 390)) if b["marks"]]
    assert len(marked) >= 3, f"{CROSSTAB_PAGE} at 390 px: only {len(marked)} boxes scroll"
    unfaded = [b["what"] for b in marked if b["mask"] == "none"]
    assert not unfaded, f"marked boxes that do not fade: {unfaded}"


def test_the_check_sees_markdown_tables(shown):
    """Guards the selector: on a phone, chapter 05's table of the forms of decay is wider than
    the column (the theme wraps such a table in a box of its own), and it is faded."""
    assert WEIGHT_DECAY_PAGE in PAGES
    boxes = _settled_boxes(shown(WEIGHT_DECAY_PAGE, 390))
    tables = [b for b in boxes if b["what"].startswith("div.pst-scrollable-table-container")]
    assert [b for b in tables if b["marks"] and b["mask"] != "none"], f"{WEIGHT_DECAY_PAGE}: {tables}"


def _wait_for_marks(browser_page, index, marks):
    browser_page.wait_for_function(
        """([selector, index, marks]) => {
          const box = document.querySelectorAll(selector)[index];
          return ['lesson5-more-left', 'lesson5-more-right']
            .filter((c) => box.classList.contains(c)).join() === marks.join();
        }""",
        arg=[BOXES, index, marks],
        timeout=5000,
    )


def test_the_fade_follows_scrolling_width_focus_and_paper(reader, site_url):
    browser_page = reader(390)
    browser_page.goto(f"{site_url}{CROSSTAB_PAGE}.html", wait_until="load")
    settle(browser_page)
    widest = max(_boxes(browser_page), key=lambda b: b["right"])
    index = widest["index"]
    assert widest["right"] > 500, f"the widest box on {CROSSTAB_PAGE} hides {widest['right']} px"
    _wait_for_marks(browser_page, index, ["lesson5-more-right"])
    box = browser_page.locator(BOXES).nth(index)

    box.evaluate("(box) => { box.scrollLeft = box.scrollWidth / 3; }")
    _wait_for_marks(browser_page, index, ["lesson5-more-left", "lesson5-more-right"])
    box.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    _wait_for_marks(browser_page, index, ["lesson5-more-left"])
    assert _boxes(browser_page)[index]["mask"] != "none", "a box scrolled to its end does not fade"

    box.focus()
    assert box.evaluate("(box) => box.matches(':focus-visible')"), "the box took no visible focus"
    assert _boxes(browser_page)[index]["mask"] == "none", "the fade would clip the focus ring"
    box.evaluate("(box) => box.blur()")

    # A folded cell's boxes hide nothing until it opens; then the wide ones are marked.
    folded = browser_page.locator("details.hide").first
    assert not folded.evaluate("(details) => details.open"), "the first folded cell is open"
    folded.locator("summary").click()
    _wait_for_marks(
        browser_page,
        browser_page.evaluate(
            "(selector) => Array.from(document.querySelectorAll(selector))"
            ".findIndex((box) => box.closest('details.hide[open]'))",
            BOXES,
        ),
        ["lesson5-more-right"],
    )
    folded.locator("summary").click()

    # Wider, some boxes fit: their marks go.
    phone = {b["index"] for b in _settled_boxes(browser_page) if b["marks"]}
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    boxes = _settled_boxes(browser_page)
    assert [b for b in boxes if b["index"] in phone and not b["marks"]], (
        "no box that scrolls at 390 px fits at 1280 px"
    )
    wrong = _wrongly_marked(boxes)
    assert not wrong, f"after widening the window to 1280 px: {wrong[:5]}"

    for setting in ({"media": "print"}, {"forced_colors": "active"}, {"contrast": "more"}):
        browser_page.emulate_media(**setting)
        masks = {b["mask"] for b in _boxes(browser_page)}
        assert masks == {"none"}, f"{setting}: a box fades: {masks - {'none'}}"
        browser_page.emulate_media(media="screen", forced_colors="none", contrast="no-preference")


def test_a_formula_that_scrolls_shows_it(reader, site_url):
    """Guards the selector for formulas, which all fit a phone's column
    (tests/browser/test_code_width.py): one squeezed to 120 px scrolls, is faded, and becomes
    a tab stop, so a keyboard can scroll it; given room again, it is neither."""
    browser_page = reader(390)
    browser_page.goto(f"{site_url}{WEIGHT_DECAY_PAGE}.html", wait_until="load")
    settle(browser_page)
    index = browser_page.evaluate(
        """(selector) => {
          const boxes = Array.from(document.querySelectorAll(selector));
          const formula = boxes.find((box) => box.matches("mjx-container[display='true']"));
          formula.style.maxWidth = "120px";
          return boxes.indexOf(formula);
        }""",
        BOXES,
    )
    assert index >= 0, f"no display formula on {WEIGHT_DECAY_PAGE}"
    _wait_for_marks(browser_page, index, ["lesson5-more-right"])
    assert _boxes(browser_page)[index]["mask"] != "none", "a formula that scrolls does not fade"
    formula = browser_page.locator(BOXES).nth(index)
    assert formula.get_attribute("tabindex") == "0", "a formula that scrolls is no tab stop"
    # Room again: the mark and the tab stop go.
    formula.evaluate("(formula) => { formula.style.maxWidth = ''; }")
    _wait_for_marks(browser_page, index, [])
    assert formula.get_attribute("tabindex") == "-1", "a formula that fits stays a tab stop"
