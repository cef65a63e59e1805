"""A keyboard reader: Tab walks every control of every page, each one shows where focus is,
and formulas are not tab stops (MathJax's menu is told so in _config.yml, mathjax3_config;
the focus ring is _static/reader.css).
"""

import functools

import pytest
from site_pages import toc_pages

PAGES = toc_pages()

# What the focused element shows: its outline and box-shadow, and whether it is (inside) a
# formula that could be scrolled sideways, which Chromium makes focusable on its own so a
# keyboard reader can scroll it.
_FOCUSED = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const math = el.closest('mjx-container');
  return {
    what: `${el.tagName.toLowerCase()}.${String(el.className).split(' ').join('.')}`
      + ` "${(el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 40)}"`,
    outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
    shadow: style.boxShadow,
    math: Boolean(math),
    scrolls: Boolean(math) && math.scrollWidth > math.clientWidth,
  };
}
"""


def _visible_colour(colour):
    return not (colour == "transparent" or colour.startswith("rgba") and colour.endswith(", 0)"))


def _shows_focus(focused):
    style, width, colour = focused["outline"]
    if style != "none" and width > 0 and _visible_colour(colour):
        return True
    shadow = focused["shadow"]
    return shadow != "none" and "rgba(0, 0, 0, 0)" not in shadow


def _tab_through(browser_page, limit=400):
    stops = []
    for _ in range(limit):
        browser_page.keyboard.press("Tab")
        focused = browser_page.evaluate(_FOCUSED)
        if focused is None:
            return stops
        stops.append(focused)
    raise AssertionError(f"Tab did not come back to the page after {limit} stops")


@pytest.fixture(scope="session")
def tab_stops(shown):
    """tab_stops(page, width): what Tab reached on the page, walked once per page and width."""

    @functools.cache
    def stops(page, width):
        return _tab_through(shown(page, width))

    return stops


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", PAGES)
def test_every_control_shows_keyboard_focus(tab_stops, page, width):
    stops = tab_stops(page, width)
    assert len(stops) > 5, f"{page}: Tab reached only {len(stops)} controls"
    hidden = sorted({s["what"] for s in stops if not _shows_focus(s)})
    assert not hidden, f"{page} at {width} px: focus is invisible on {hidden}"


@pytest.mark.parametrize("page", PAGES)
def test_formulas_are_not_tab_stops(tab_stops, page):
    formulas = [s["what"] for s in tab_stops(page, 1280) if s["math"] and not s["scrolls"]]
    assert not formulas, f"{page}: {len(formulas)} formulas are tab stops: {formulas[:5]}"


def test_the_formula_check_sees_formulas(reader, site_url):
    """Guards the test above: MathJax's default gives every formula tabindex=0; here only
    the formulas too wide for the column have it (_static/scrollable-formulas.js)."""
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}{PAGES[2]}.html", wait_until="load")
    browser_page.evaluate("() => window.MathJax?.startup?.promise")
    browser_page.wait_for_load_state("networkidle")
    formulas = browser_page.evaluate(
        "() => Array.from(document.querySelectorAll('mjx-container'),"
        " (m) => [m.getAttribute('tabindex'), m.scrollWidth > m.clientWidth])"
    )
    assert len(formulas) > 20, f"{PAGES[2]} has {len(formulas)} rendered formulas"
    stops = [scrolls for tab, scrolls in formulas if tab == "0"]
    assert all(stops), f"{stops.count(False)} formulas that fit the column carry tabindex=0"
