"""What assistive technology reads from each page's markup: the page's language, and ids
that name one element each (_ext/page_language.py, _ext/unique_ids.py); and what a search
engine or a shared link shows of it, its description (_ext/page_description.py)."""

import re
from pathlib import Path

import pytest
from site_pages import BOOK_ROOT, QUOTE_WIDTHS, accessible_tree, toc_pages

from _ext.page_description import LONGEST

PAGES = toc_pages()


def _declared_language(page):
    """The language a page's front matter declares (`language: zh-Hans`), else the book's."""
    source = next(Path(BOOK_ROOT).glob(f"{page}.*"))
    front = re.match(r"---\n(.*?)\n---\n", source.read_text(encoding="utf-8"), re.S)
    declared = front and re.search(r"^language:\s*(\S+)", front.group(1), re.M)
    return declared.group(1) if declared else "en"


def test_the_chinese_overview_declares_chinese():
    chinese = [page for page in PAGES if page.endswith("_zh")]
    assert chinese and all(_declared_language(page).startswith("zh") for page in chinese)


@pytest.mark.parametrize("page", PAGES)
def test_page_declares_its_language(shown, page):
    lang = shown(page).evaluate("() => document.documentElement.lang")
    assert lang == _declared_language(page), f"{page}: <html lang={lang!r}>"


@pytest.mark.parametrize("page", PAGES)
def test_page_describes_itself_by_the_start_of_its_prose(shown, page):
    description, prose = shown(page).evaluate(
        "() => [document.querySelector('meta[name=description]')?.content,"
        " document.querySelector('article').innerText.replace(/\\s+/g, ' ')]"
    )
    assert description and len(description) <= LONGEST, f"{page}: description {description!r}"
    assert description[:40] in prose, f"{page}: {description!r} does not begin its article's prose"


# Each element's language as a screen reader takes it: the nearest lang attribute.
_LANGUAGES = """(selector) => Array.from(document.querySelectorAll(selector),
  (el) => [el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 30), el.closest('[lang]').lang, el.hreflang])"""
CHINESE = next((page for page in PAGES if page.endswith("_zh")), None)


def _chinese_titles(browser_page):
    """The sidebar's links whose words are Chinese, as _LANGUAGES gives them."""
    return [link for link in browser_page.evaluate(_LANGUAGES, ".bd-sidebar-primary a")
            if re.search("[\u4e00-\u9fff]", link[0])]


@pytest.mark.parametrize("page", PAGES)
def test_the_themes_words_are_in_the_books_language_and_a_title_in_its_own(shown, page):
    # On the Chinese page, the theme's English words (the sidebars' captions and titles,
    # "Contents", previous and next) were read with Chinese rules; on every page, the sidebar's
    # Chinese title with English ones.
    browser_page = shown(page)
    language = _declared_language(page)
    themes = browser_page.evaluate(
        _LANGUAGES, ".skip-link, .bd-sidebar-primary p.caption, .onthispage, .prev-next-subtitle, #pst-back-to-top"
    )
    wrong = [(text, lang) for text, lang, _ in themes if lang != "en"]
    assert themes and not wrong, f"{page}: the theme's words not read as English: {wrong}"
    titles = _chinese_titles(browser_page)
    assert titles and all(lang == hreflang == _declared_language(CHINESE) for _, lang, hreflang in titles), (
        f"{page}: the sidebar's link to {CHINESE}: {titles}"
    )
    heading = browser_page.evaluate(_LANGUAGES, "article h1")
    assert heading[0][1] == language, f"{page}: its title is read as {heading[0][1]}, not {language}"


def test_chinese_quotation_marks_are_full_width_and_english_ones_are_not(shown):
    # In the Chinese overview the text's Latin font drew narrow marks, cramped against the
    # characters they quote (8.3 px beside 16).
    mark, character = shown(CHINESE).evaluate(QUOTE_WIDTHS)
    assert mark >= 0.9 * character, f"{CHINESE}: a quotation mark {mark:.1f} px wide beside {character:.1f}"
    english = shown(PAGES[0]).evaluate(QUOTE_WIDTHS)
    assert english and english[0] < 0.8 * mark, (
        f"{PAGES[0]}: an English quotation mark drawn as wide as a Chinese one: {english}"
    )


def test_the_search_page_marks_the_chinese_title_too(reader, site_url):
    # A page with no body of its own (search, the index) had none of the marks.
    browser_page = reader(1280)
    browser_page.goto(f"{site_url}search.html", wait_until="load")
    titles = _chinese_titles(browser_page)
    assert titles and all(lang == hreflang == _declared_language(CHINESE) for _, lang, hreflang in titles), titles


@pytest.mark.parametrize("page", PAGES)
def test_ids_are_unique(shown, page):
    repeated = shown(page).evaluate(
        """() => {
             const counts = {};
             for (const el of document.querySelectorAll('[id]')) {
               counts[el.id] = (counts[el.id] || 0) + 1;
             }
             return Object.entries(counts).filter(([, n]) => n > 1);
           }"""
    )
    assert not repeated, f"{page}: ids used more than once: {repeated}"


PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


_MARK_TAB_STOPS = """() => {
  const stops = Array.from(document.querySelectorAll('*'))
    .filter((el) => el.tabIndex >= 0 && !el.disabled && el.checkVisibility({visibilityProperty: true}));
  stops.forEach((el) => el.setAttribute('data-tab-stop', ''));
  return stops.length;
}"""


def _tab_stops(browser_page):
    """Each element the Tab key stops at, as (tag, role, name) from Chromium's accessibility tree."""
    browser_page.evaluate(_MARK_TAB_STOPS)
    session = browser_page.context.new_cdp_session(browser_page)
    try:
        root = session.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        found = session.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-tab-stop]"})
        stops = []
        for node in found["nodeIds"]:
            tag = session.send("DOM.describeNode", {"nodeId": node})["node"]["localName"]
            ax = session.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
            ax = ax["nodes"][0]
            stops.append((tag, (ax.get("role") or {}).get("value"), (ax.get("name") or {}).get("value") or ""))
    finally:
        session.detach()
        browser_page.evaluate("() => document.querySelectorAll('[data-tab-stop]')"
                              ".forEach((el) => el.removeAttribute('data-tab-stop'))")
    return stops


@pytest.mark.parametrize("page", PAGES)
def test_every_tab_stop_has_a_name(shown, page):
    # The theme makes each box that scrolls a tab stop with no name: a screen reader reaching
    # one said nothing (85 of chapter 03's 212 tab stops on a phone, where most boxes scroll).
    stops = _tab_stops(shown(page, 390))
    nameless = [(tag, role) for tag, role, name in stops if not name.strip()]
    assert len(stops) > 10, f"{page}: only {len(stops)} tab stops found"
    assert not nameless, f"{page}: {len(nameless)} of {len(stops)} tab stops have no name: {nameless[:5]}"


def test_each_solutions_button_is_named_by_its_solution(shown):
    page = shown("book/03_cross_entropy")
    titles = page.locator(".solution .admonition-title").evaluate_all(
        """ts => ts.map((t) => Array.from(t.childNodes).filter((n) => n.localName !== 'button')
             .map((n) => n.textContent).join('').replace(/\\s+/g, ' ').trim())""")
    buttons = [name for role, name in accessible_tree(page) if role == "button"]
    named = [name for name in buttons if name.startswith("Solution to Exercise")]
    assert titles and named == titles, f"solutions {titles}, their buttons: {named}"
    assert "Toggle hidden content" not in buttons


def test_a_download_link_is_named_by_its_file_alone(shown):
    # The link's icon, a character of the icon font, came first in its name.
    links = [name for role, name in accessible_tree(shown("book/03_cross_entropy")) if role == "link"]
    workbooks = [name for name in links if name.endswith(".xlsx")]
    spoiled = [name for name in links if PRIVATE_USE.search(name)]
    assert "entropy.xlsx" in workbooks and not spoiled, f"links named with icon characters: {spoiled}"


def test_the_header_menus_items_say_what_they_do(reader, site_url):
    # They were ".ipynb", ".pdf" (an item that prints the page) and "Colab logo Colab".
    page = reader(1280)
    page.goto(f"{site_url}book/03_cross_entropy.html", wait_until="load")
    names = []
    for menu in (".dropdown-download-buttons", ".dropdown-launch-buttons"):
        page.locator(f".bd-header-article {menu} > button").click()
        page.locator(f".bd-header-article {menu} .dropdown-menu").wait_for(state="visible", timeout=5000)
        names += [name for role, name in accessible_tree(page)
                  if role in ("link", "button", "menuitem") and ("." in name or "Colab" in name)]
        page.keyboard.press("Escape")
    assert "Download this page's source, .ipynb" in names, names
    assert "Print this page, .pdf" in names, names
    assert "Colab" in names and not [name for name in names if "logo" in name], names


def test_a_copy_is_said_to_screen_readers(reader, site_url):
    # sphinx-copybutton showed "Copied!" in the button's tooltip and icon alone.
    page = reader(1280)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{site_url}book/03_cross_entropy.html", wait_until="load")
    said = """() => Array.from(document.querySelectorAll('[role=status]'), (s) => s.textContent.trim())
                .filter(Boolean)"""
    assert page.evaluate(said) == [], "a status speaks before anything was copied"
    block = page.locator("div.cell div.highlight").filter(visible=True).first
    block.hover()
    block.locator(".copybtn").click()
    page.wait_for_function(f"() => ({said})().length > 0", timeout=5000)
    assert page.evaluate(said) == ["Copied!"]
