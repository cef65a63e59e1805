"""Search as a reader meets it: one search control on the screen, a search for the
common spelling of a word the book hyphenates finds the chapter about it, so does the other
spelling of a word written -ise or -ize, and a Chinese word of two characters finds the Chinese
overview (_ext/search_compounds.py; the top bar that held a second search field is hidden by
_static/reader.css).
"""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_pages import chapter_pages

CHAPTERS = chapter_pages()
SEARCH_CONTROLS = "button.search-button-field, button.search-button, input[type=search]"


@pytest.mark.parametrize("width", [1280, 820, 390])
def test_one_search_control_on_screen(reader, site_url, width):
    page = reader(width)
    page.goto(f"{site_url}{CHAPTERS[0]}.html", wait_until="load")
    shown = [
        control.evaluate("c => c.outerHTML.slice(0, 120)")
        for control in page.locator(SEARCH_CONTROLS).all()
        if control.is_visible()
    ]
    assert len(shown) == 1, f"{width} px: {len(shown)} search controls on screen: {shown}"


@pytest.mark.parametrize("width", [320, 390])
def test_the_search_fields_placeholder_fits_it_on_a_phone(reader, site_url, width):
    # At 320 px the field's "Search this book..." lost its last dot (_static/reader.css).
    page = reader(width, touch=True)
    page.goto(f"{site_url}{CHAPTERS[0]}.html", wait_until="load")
    page.locator("button.search-button").click()
    field = page.locator("#pst-search-dialog[open] input[type=search]")
    field.wait_for(state="visible", timeout=5000)
    needed, room, placeholder = field.evaluate(
        """(input) => {
          const style = getComputedStyle(input);
          const context = document.createElement('canvas').getContext('2d');
          context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return [context.measureText(input.placeholder).width, room, input.placeholder];
        }"""
    )
    assert placeholder and needed <= room, f"at {width} px {placeholder!r} needs {needed:.0f} px of {room:.0f}"


# The focused search field's rings: its own (outline, box-shadow) and its form's.
_RINGS = """(input) => {
  const ring = (el) => {
    const style = getComputedStyle(el);
    return {outline: style.outlineStyle === 'none' ? 'none' : style.outlineWidth, shadow: style.boxShadow};
  };
  return {field: ring(input), form: ring(input.closest('form.bd-search'))};
}"""


def _open_search(reader, site_url, width):
    """A chapter in a window `width` px wide (a touch screen's, on a phone) with the search
    dialog opened from the header's button: the page and the dialog's field."""
    page = reader(width, touch=width < 400)
    page.goto(f"{site_url}{CHAPTERS[0]}.html", wait_until="load")
    page.locator("button.search-button-field, button.search-button").filter(visible=True).first.click()
    field = page.locator("#pst-search-dialog[open] input[type=search]")
    field.wait_for(state="visible", timeout=5000)
    return page, field


@pytest.mark.parametrize("width", [1280, 390])
def test_the_focused_search_field_shows_one_ring(reader, site_url, width):
    # The form's ring and the field's own outline were drawn one inside the other.
    _, field = _open_search(reader, site_url, width)
    assert field.evaluate("(input) => document.activeElement === input"), "the open search has no focus"
    rings = field.evaluate(_RINGS)
    assert rings["field"] == {"outline": "none", "shadow": "none"}, f"at {width} px the field has a ring: {rings}"
    assert rings["form"]["outline"] == "3px", f"at {width} px the search form shows no outline: {rings}"
    assert rings["form"]["shadow"] == "none", f"at {width} px the form draws a second ring: {rings}"


def _search(page, site_url, query):
    page.goto(f"{site_url}search.html?q={query}", wait_until="load")
    return _results(page, query)


def _results(page, query):
    """The results search.html lists for `query`, once it has listed them all: (address, title)."""
    results = page.locator("#search-results ul.search li")
    try:
        results.first.wait_for(timeout=20000)
        # Sphinx lists the results one by one, a few milliseconds apart: read them all.
        page.wait_for_function(
            "() => /Search finished|did not match/.test("
            "document.querySelector('#search-results .search-summary')?.innerText || '')",
            timeout=20000,
        )
    except PlaywrightTimeout:
        summary = page.locator("#search-results").inner_text()
        pytest.fail(f"search.html: searching {query!r} found nothing: {summary!r}")
    return results.locator("a").evaluate_all("links => links.map(a => [a.href, a.innerText])")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_query_typed_into_the_search_dialog_lists_the_chapter(reader, site_url, width):
    # The way a reader searches: the header's button, the dialog's field, Enter.
    page, field = _open_search(reader, site_url, width)
    field.fill("weight decay")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=weight+decay*", timeout=10000)
    found = [href for href, _ in _results(page, "weight decay")]
    pages = [href.split("#")[0] for href in found if "glossary" not in href]
    assert pages and pages[0].endswith("05_weight_decay.html"), f"at {width} px: {found[:4]}"


def test_backpropagation_finds_the_back_propagation_chapter(reader, site_url):
    found = _search(reader(1280), site_url, "backpropagation")
    chapters = [text for href, text in found if "back-propagation" in text.lower()]
    assert chapters, f"'backpropagation' finds no page titled with back-propagation: {found}"
    assert found[0][1] == chapters[0], f"the chapter is not the first result: {found}"


@pytest.mark.parametrize(
    ("query", "chapter"), [("weight decay", "05_weight_decay"), ("transfer learning", "07_transfer")]
)
def test_a_chapters_title_comes_first_after_its_glossary_entry(reader, site_url, query, chapter):
    # Sphinx scores a page by its best word and breaks ties alphabetically: each chapter came
    # fourth, after "Accelerated SGD…" and others that use the words in a heading.
    found = _search(reader(1280), site_url, query)
    pages = [href.split("#")[0] for href, _ in found if "glossary" not in href]
    assert pages and pages[0].endswith(f"{chapter}.html"), f"{query!r}: {found[:4]}"


def test_a_results_excerpt_quotes_the_chapters_prose(reader, site_url):
    # Sphinx quoted the page's main element, whose start is the article header's buttons: the
    # chapter found for "backpropagation" was quoted as "...Colab" (the index's joined word is
    # not in the page's text, so the quote began at the start).
    page = reader(1280)
    found = _search(page, site_url, "backpropagation")
    page.wait_for_function("() => document.querySelector('#search-results p.context')", timeout=20000)
    excerpt = page.locator("#search-results ul.search li").first.locator("p.context").inner_text()
    assert len(excerpt) > 100 and not re.search(r"Colab|\.ipynb|\.md\b|\bimport\b", excerpt), (
        f"{found[0][1]!r} is quoted as {excerpt!r}"
    )


def test_momentum_finds_the_glossary(reader, site_url):
    found = _search(reader(1280), site_url, "momentum")
    assert any("glossary" in href for href, _ in found), (
        f"search.html: 'momentum' results do not include the glossary: {found}"
    )


def test_regularisation_spelled_the_british_way_finds_the_weight_decay_chapter(reader, site_url):
    # The book writes "regularization"; a reader who writes "regularisation" found nothing.
    found = _search(reader(1280), site_url, "regularisation")
    assert any("weight_decay" in href for href, _ in found), f"'regularisation' finds {found}"


@pytest.mark.parametrize("query", ["模型", "冻结"])
def test_a_two_character_chinese_word_finds_the_chinese_overview(reader, site_url, query):
    # Chinese puts no space between words: 模型 (model) and 冻结 (freeze) matched nothing.
    found = _search(reader(1280), site_url, query)
    assert any("overview_zh" in href for href, _ in found), f"{query!r} finds {found}"


def test_a_result_with_a_long_address_leaves_a_phones_page_its_width(reader, site_url):
    # A result's excerpt quoting a bibliography entry's address, one unbroken word, pushed the
    # results page 18 px sideways at 390 px.
    page = reader(390)
    _search(page, site_url, "adam")
    # Sphinx says "Search finished" once it has listed the results; each excerpt arrives after
    # its page is fetched, later on a busy machine (test.sh runs the unit tests alongside).
    longest = """() => Math.max(0, ...Array.from(document.querySelectorAll('#search-results p.context'),
        (p) => Math.max(...p.textContent.split(/\\s+/).map((w) => w.length))))"""
    try:
        page.wait_for_function(f"({longest})() >= 40", timeout=20000)
    except Exception:
        pytest.fail(f"no excerpt holds a word as long as an address (longest: {page.evaluate(longest)})")
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= 390, f"the results page is {wide} px wide on a 390 px phone"

