"""A keyboard reader: Tab walks every control of every page, each one shows where focus is,
and formulas are not tab stops (MathJax's menu is told so in _config.yml, mathjax3_config;
the focus ring is _static/reader.css).
"""

import functools
import re

import pytest
from site_pages import contrast, over, painted, rgba, settle, toc_pages

PAGES = toc_pages()

# What each focused element shows: its outline and box-shadow, and whether it is (inside) a
# formula that could be scrolled sideways, which Chromium makes focusable on its own so a
# keyboard reader can scroll it. The page records it as focus arrives, and records focus
# leaving the page (for the browser's own controls) as null, so that Python asks once per
# batch of Tab presses rather than once per press (a third of the walk's time).
_RECORD_FOCUS = r"""
() => {
  window.lesson5Focus = [];
  document.addEventListener('focusin', (event) => {
    const el = event.target;
    // Focus styles that fade in are judged where they end, not at their first frame.
    for (const animation of el.getAnimations()) {
      if (animation instanceof CSSTransition) { animation.finish(); }
    }
    const style = getComputedStyle(el);
    // A formula's own box (span.math, inline; mjx-container, displayed) or anything in it.
    const math = el.closest('span.math, mjx-container');
    // The ring is drawn around the element, on what is behind it: the backgrounds its
    // ancestors paint, from the nearest out to the first opaque one (the page's, at the top).
    const behind = [];
    for (let up = el.parentElement; up; up = up.parentElement) {
      const colour = getComputedStyle(up).backgroundColor;
      behind.push(colour);
      if (!colour.startsWith('rgba')) { break; }
    }
    window.lesson5Focus.push({
      what: `${el.tagName.toLowerCase()}.${String(el.className).split(' ').join('.')}`
        + ` "${(el.getAttribute('aria-label') || el.innerText || '').trim().slice(0, 40)}"`,
      outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
      shadow: style.boxShadow,
      behind: behind,
      math: Boolean(math),
      // With scroll-cues.js's pixel of slack.
      scrolls: Boolean(math) && math.scrollWidth - math.clientWidth > 1,
    });
  }, true);
  document.addEventListener('focusout', (event) => {
    if (event.relatedTarget === null) { window.lesson5Focus.push(null); }
  }, true);
}
"""
# Tab presses between two reads of the record.
_BATCH = 20


def _stands_out(colour, behind):
    """Whether a ring of the computed `colour` keeps 3:1 (WCAG 2.1's 1.4.11 for a focus
    indicator) against the backgrounds `behind` it, nearest first, painted one over another
    on the last: a ring of the background's own colour shows nothing."""
    background = painted(behind)
    return contrast(over(rgba(colour), background), background) >= 3


def _shows_focus(focused):
    style, width, colour = focused["outline"]
    if style != "none" and width > 0 and _stands_out(colour, focused["behind"]):
        return True
    shadow = focused["shadow"]
    colours = re.findall(r"rgba?\([^)]*\)", shadow)
    return any(_stands_out(colour, focused["behind"]) for colour in colours)


def _tab_through(browser_page, limit=400):
    """What each Tab press focused, from the page's first control until focus leaves the page.

    Once per open page: the record's listeners stay on it, and a second walk would neither
    start at the top nor record each stop once."""
    browser_page.evaluate(_RECORD_FOCUS)
    try:
        for pressed in range(_BATCH, limit + _BATCH, _BATCH):
            for _ in range(_BATCH):
                browser_page.keyboard.press("Tab")
            record = browser_page.evaluate("() => window.lesson5Focus")
            if None in record:
                return record[: record.index(None)]
            if len(record) < pressed:
                raise AssertionError(f"{pressed} Tab presses moved focus {len(record)} times")
        raise AssertionError(f"focus did not leave the page after {limit} Tab presses")
    finally:
        # The page stays open for other tests: a walk stopped by a failed check leaves no
        # control focused (and showing its focus ring) for them.
        browser_page.evaluate("() => { document.activeElement?.blur(); }")


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


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page", PAGES)
def test_formulas_are_not_tab_stops(tab_stops, page, width):
    formulas = [s["what"] for s in tab_stops(page, width) if s["math"] and not s["scrolls"]]
    assert not formulas, f"{page} at {width} px: {len(formulas)} formulas are tab stops: {formulas[:5]}"


def test_the_walk_knows_a_formula_when_tab_reaches_one(reader, site_url):
    """Guards the test above, which passes wherever the walk takes no stop for a formula:
    an inline formula squeezed until it scrolls is a tab stop, and the walk says it is a
    formula that scrolls (it looked for MathJax's element around the stop, which is inside
    the inline formula's box, and so took the formulas Tab reached for other controls)."""
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    settle(browser_page)
    browser_page.evaluate(
        """() => {
          const formula = Array.from(document.querySelectorAll('article span.math')).find(
            (f) => f.scrollWidth > 60 && f.checkVisibility());
          formula.style.maxWidth = '30px';
          formula.dataset.squeezed = 'yes';
        }"""
    )
    browser_page.wait_for_function("() => document.querySelector('[data-squeezed]').tabIndex === 0", timeout=5000)
    stops = _tab_through(browser_page)
    formulas = [stop for stop in stops if stop["math"] and stop["scrolls"]]
    assert formulas, "the walk took the squeezed formula for no formula"


def test_the_formula_check_sees_formulas(shown):
    """Guards the test above: MathJax's default gives every formula tabindex=0; here only
    the formulas too wide for the column have it (_static/scroll-cues.js)."""
    # The page's own check runs once MathJax's start-up promise settles (on "load"), before
    # `shown` has waited for that promise and the fonts.
    browser_page = shown(PAGES[2], 1280)
    formulas = browser_page.evaluate(
        "() => Array.from(document.querySelectorAll('mjx-container'),"
        " (m) => [m.getAttribute('tabindex'), m.scrollWidth > m.clientWidth])"
    )
    assert len(formulas) > 20, f"{PAGES[2]} has {len(formulas)} rendered formulas"
    stops = [scrolls for tab, scrolls in formulas if tab == "0"]
    assert all(stops), f"{stops.count(False)} formulas that fit the column carry tabindex=0"


@pytest.mark.parametrize(
    "platform, shortcut, key", [("Linux x86_64", "Control+K", "Ctrl"), ("MacIntel", "Meta+K", "⌘")]
)
def test_the_search_fields_declared_shortcut_opens_the_search(reader, site_url, platform, shortcut, key):
    # The theme answers Meta+K alone on a Mac and Control+K alone elsewhere, and shows which:
    # the field declares that key (_static/accessible-names.js), and pressing it opens search.
    browser_page = reader(1280)
    browser_page.add_init_script(f"Object.defineProperty(navigator, 'platform', {{get: () => '{platform}'}})")
    browser_page.goto(f"{site_url}{PAGES[0]}.html", wait_until="load")
    field = browser_page.locator("button.search-button-field:visible").first
    assert field.get_attribute("aria-keyshortcuts") == shortcut
    assert key in field.get_attribute("aria-label") and key in field.inner_text()
    browser_page.keyboard.press(shortcut)
    browser_page.wait_for_function("() => document.getElementById('pst-search-dialog')?.open", timeout=5000)



def test_the_colour_mode_button_says_the_mode_it_is_in(reader, site_url):
    # The theme names it "Color mode" whatever the mode, and its icons' titles are hidden
    # (_static/accessible-names.js): its name must follow each click through the three modes.
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}{PAGES[0]}.html", wait_until="load")
    button = browser_page.locator(".theme-switch-button:visible").first
    seen = set()
    for _ in range(3):
        button.click()
        mode = browser_page.evaluate("() => document.documentElement.dataset.mode")
        name = {"light": "light", "dark": "dark", "auto": "system setting"}[mode]
        browser_page.wait_for_function(
            "(name) => document.querySelector('.theme-switch-button').getAttribute('aria-label')"
            " === 'Color mode: ' + name",
            arg=name,
            timeout=5000,
        )
        seen.add(mode)
    assert seen == {"light", "dark", "auto"}, seen


@pytest.mark.parametrize(("scheme", "stored"), [("light", None), ("dark", None), ("dark", "light")])
def test_before_the_themes_script_runs_the_page_has_its_colours_and_focus_ring(reader, site_url, scheme, stored):
    # The theme resolves its "auto" colour scheme in a deferred script, which a slow connection
    # delays a minute: until then the page had none of the theme's colours, and the link the
    # keyboard was on showed no ring (_ext/first_paint_theme.py). Held back here for good. A
    # reader in auto mode whose system has since turned dark has the last visit's scheme stored.
    browser_page = reader(1280, color_scheme=scheme)
    if stored:
        browser_page.add_init_script(
            f"localStorage.setItem('mode', 'auto'); localStorage.setItem('theme', '{stored}');"
        )
    held = []
    browser_page.route("**/pydata-sphinx-theme.js*", lambda route: (held.append(route.request.url), route.abort()))
    browser_page.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    # A renamed script would pass the pattern by, and this would test an ordinary load.
    assert held, "the theme's script was not held back: its name has changed"
    assert browser_page.evaluate("() => document.documentElement.dataset.theme") == scheme
    link = browser_page.locator("article a.reference").first
    link.focus()
    browser_page.keyboard.press("Shift+Tab")
    browser_page.keyboard.press("Tab")
    ring = link.evaluate("(a) => { const s = getComputedStyle(a); return [s.outlineStyle, s.outlineWidth]; }")
    assert ring == ["solid", "3px"], f"{scheme}: the focused link's outline is {ring}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_skip_links_focus_ring_stands_out_from_its_banner(reader, site_url, scheme):
    # The first Tab stop of every page. The accent-coloured ring every other control gets
    # showed 1.6:1 (light) and 1.14:1 (dark) against the theme's orange skip-link banner.
    browser_page = reader(1280, color_scheme=scheme)
    browser_page.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    browser_page.keyboard.press("Tab")
    ring, banner = browser_page.evaluate("""() => {
      const link = document.activeElement;
      return [getComputedStyle(link).outlineColor,
              getComputedStyle(link.closest('.skip-link')).backgroundColor];
    }""")
    # The ring as painted over the banner, should the ring be translucent.
    ratio = contrast(over(rgba(ring), rgba(banner)[:3]), rgba(banner)[:3])
    assert ratio >= 3, f"{scheme}: the skip link's ring {ring} on its banner {banner}: {ratio:.2f}:1, under 3:1"
