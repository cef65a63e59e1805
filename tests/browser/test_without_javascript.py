"""The site read with JavaScript off: the theme's colours and a focus ring, no control that
does nothing, every page a link away on a phone too, and each formula's TeX legible where
MathJax cannot typeset it (_static/reader.css's scripting: none rules, and
_ext/first_paint_theme.py for the colours).
"""

import pytest
from site_pages import chapter_pages, toc_pages

CHAPTERS = chapter_pages()
PAGES = toc_pages()


@pytest.fixture
def without_javascript(reader, site_url):
    """without_javascript(page, width): `page` opened with JavaScript off, in a window that wide."""

    def open_page(page, width):
        browser_page = reader(width, javascript=False)
        browser_page.goto(f"{site_url}{page}.html", wait_until="load")
        return browser_page

    return open_page


# The colours a reader sees: the page's background, its text, a link in the prose, a note's
# title, the ring on the focused element (named, so that both pages' are the same one), and the
# themes' colours that others are made of.
_COLOURS = """() => {
  const colour = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
  const root = getComputedStyle(document.documentElement);
  const themes = ['primary', 'secondary', 'accent', 'link', 'link-hover', 'text-base', 'background',
                  'on-background', 'surface', 'border'];
  return {
    background: colour('body', 'backgroundColor'), text: colour('article p', 'color'),
    link: colour('article p a.reference', 'color'), note: colour('.admonition-title', 'color'),
    focused: document.activeElement.textContent.trim().slice(0, 40),
    ring: getComputedStyle(document.activeElement).outlineColor,
    ...Object.fromEntries(themes.map((name) => [name, root.getPropertyValue(`--pst-color-${name}`).trim()])),
    announcement: root.getPropertyValue('--sbt-color-announcement').trim(),
  };
}"""


def _focus_a_link(browser_page):
    browser_page.keyboard.press("Tab")
    browser_page.keyboard.press("Tab")


def test_the_page_has_colours_and_a_focus_ring(without_javascript, reader, site_url):
    # The theme wrote data-theme="auto", for which its stylesheet has no colours: with
    # JavaScript off a reader got none, and no ring on the link the keyboard was on. The page
    # must look as it does with JavaScript on, in the light scheme.
    browser_page = without_javascript(PAGES[3], 1280)
    _focus_a_link(browser_page)
    focused = browser_page.evaluate("""() => {
      const el = document.activeElement, style = getComputedStyle(el);
      return [el.tagName, style.outlineStyle, style.outlineWidth];
    }""")
    tag, style, width = focused
    assert tag == "A" and (style, width) == ("solid", "3px"), f"with JavaScript off the focused {tag}: {focused}"
    with_javascript = reader(1280)
    with_javascript.goto(f"{site_url}{PAGES[3]}.html", wait_until="load")
    _focus_a_link(with_javascript)
    seen, expected = browser_page.evaluate(_COLOURS), with_javascript.evaluate(_COLOURS)
    assert seen == expected, f"with JavaScript off the page's colours are {seen}, with it {expected}"


@pytest.mark.parametrize("width", [390, 1280])
def test_every_page_is_a_link_away_and_no_control_is_dead(without_javascript, width):
    # Every button of the article's header is a script: with JavaScript off a phone reader
    # tapped buttons that did nothing, and the chapters' list was in a drawer none could open.
    browser_page = without_javascript(CHAPTERS[-1], width)
    controls = browser_page.evaluate("""() => Array.from(
        document.querySelectorAll('.bd-header button, .bd-header-article button'))
      .filter((button) => button.checkVisibility()).map((button) => button.outerHTML.slice(0, 80))""")
    listed = browser_page.evaluate("""() => Array.from(
        document.querySelectorAll('.bd-sidebar-primary nav a.reference'))
      .filter((link) => link.checkVisibility() && link.getBoundingClientRect().width > 0)
      .map((link) => new URL(link.href).pathname)""")
    wide = browser_page.evaluate("() => document.documentElement.scrollWidth")
    assert not controls, f"{width} px: buttons that do nothing: {controls}"
    missing = [page for page in PAGES[1:] if not any(path.endswith(f"/{page}.html") for path in listed)]
    assert not missing, f"{width} px: no link from {CHAPTERS[-1]} to {missing}"
    assert wide <= width, f"{width} px: the page is {wide} px wide"


def test_a_display_formula_shows_its_tex_on_lines_of_its_own(without_javascript):
    # Untypeset, a formula's TeX ran on as one paragraph into the next sentence.
    browser_page = without_javascript(CHAPTERS[4], 390)
    formula = browser_page.evaluate("""() => {
      const math = document.querySelector('div.math'), style = getComputedStyle(math);
      const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
      return [math.innerText.trim().slice(0, 20), style.whiteSpace, parseFloat(style.marginBottom),
              Math.round(math.getBoundingClientRect().height / line), style.fontFamily];
    }""")
    tex, white_space, margin, lines, font = formula
    assert tex.startswith("\\["), f"the first display formula of {CHAPTERS[4]} shows {tex!r}"
    assert white_space == "pre-wrap" and margin > 0 and lines >= 5, (
        f"{CHAPTERS[4]}: the formula's TeX is set as {formula}"
    )
    assert "mono" in font.lower(), f"{CHAPTERS[4]}: the formula's TeX is set in {font}"


def test_with_javascript_a_display_formula_is_typeset_at_the_size_of_an_inline_one(reader, site_url):
    # MathJax sizes a formula from the font around it: set for untypeset TeX on every page, the
    # rule above made display formulas 2% larger than inline ones.
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}{CHAPTERS[4]}.html", wait_until="load")
    browser_page.evaluate("() => MathJax.startup.promise")
    sizes = browser_page.evaluate("""() => ['div.math mjx-container', 'span.math mjx-container']
      .map((selector) => document.querySelector(selector).style.fontSize)""")
    assert sizes[0] and sizes[0] == sizes[1], f"{CHAPTERS[4]}: display and inline formulas at {sizes}"


def test_the_optimizer_explorer_says_what_it_needs(without_javascript):
    # It said the explorer "runs on the course site", to a reader on that site.
    chapter = next(page for page in CHAPTERS if page.endswith("04_optimizers"))
    text = without_javascript(chapter, 1280).locator(".optimizer-explorer").inner_text()
    assert "JavaScript" in text, f"{chapter}: without JavaScript the explorer says {text!r}"
