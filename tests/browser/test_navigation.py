"""Navigation on every width: a phone reader opens the site's table of contents from the
menu button (by mouse and by keyboard) and follows it to another chapter; a tablet reader
opens "On this page"; a desktop reader collapses and restores the sidebar. Each button tells a
screen reader whether its panel is showing (aria-expanded), however the panel was closed.

The themes bind these buttons to a hidden copy in the page header (_static/navigation.js
says how it is worked around); each test of the buttons fails without that script. The
sidebar lists every page once, under names of its own (_config.yml, home_page_in_navbar).
"""

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from site_pages import chapter_pages, settle, toc_pages

CHAPTERS = chapter_pages()
PAGES = toc_pages()
FIRST, SECOND = CHAPTERS[0], CHAPTERS[1]
# The buttons a reader sees sit in the article header; the themes' hidden copies in the page
# header match the same classes.
MENU = ".bd-header-article .primary-toggle"
ON_THIS_PAGE = ".bd-header-article .secondary-toggle"


def _open(reader, site_url, width, page=FIRST, touch=False, init_script=None):
    browser_page = reader(width, touch=touch)
    # Generous: it costs nothing when a check passes, and a busy machine loads a chapter slowly.
    browser_page.set_default_timeout(30000)
    if init_script:
        browser_page.add_init_script(init_script)
    browser_page.goto(f"{site_url}{page}.html", wait_until="load")
    # A formula widened by its font after the checks began would move what they measure.
    settle(browser_page)
    return browser_page


def _expanded_becomes(browser_page, selector, value):
    """Waits until the visible button says `value` ("true" or "false") in aria-expanded."""
    browser_page.wait_for_function(
        "([selector, value]) => document.querySelector(selector)"
        ".getAttribute('aria-expanded') === value",
        arg=[selector, value],
        timeout=5000,
    )


def _drawer_link_to(browser_page, page):
    name = page.rsplit("/", 1)[-1]
    return browser_page.locator(f"#pst-primary-sidebar-modal a[href$='{name}.html']")


# Each link of the sidebar, the book's title at its top included: its name and the page it opens.
_SIDEBAR_LINKS = """() => Array.from(document.querySelectorAll('.bd-sidebar-primary a[href]'))
  .filter((a) => a.checkVisibility())
  .map((a) => [a.innerText.trim(), new URL(a.href).pathname.replace(/\\/$/, '/index.html')])"""


@pytest.mark.parametrize("page", PAGES)
def test_the_sidebar_links_every_page_once_under_names_of_its_own(shown, page):
    # The front page was listed twice, under the same name: the book's title and the first entry.
    links = shown(page, 1280).evaluate(_SIDEBAR_LINKS)
    names = [name for name, _ in links]
    targets = sorted({path.rsplit("/", 1)[-1] for _, path in links})
    assert len(set(names)) == len(names), f"{page}: sidebar links share a name: {names}"
    expected = sorted(f"{p.rsplit('/', 1)[-1]}.html" for p in PAGES)
    assert targets == expected, f"{page}: the sidebar links {targets}, not every page once"
    assert len(links) == len(PAGES), f"{page}: {len(links)} sidebar links for {len(PAGES)} pages"


def test_phone_menu_opens_the_contents_and_a_click_reaches_another_chapter(reader, site_url):
    browser_page = _open(reader, site_url, 390)
    drawer = browser_page.locator("#pst-primary-sidebar-modal")
    assert not drawer.is_visible(), "the navigation drawer is open before any click"
    browser_page.locator(MENU).click()
    link = _drawer_link_to(browser_page, SECOND)
    link.wait_for(state="visible", timeout=5000)
    assert drawer.evaluate("d => d.open"), "the drawer's <dialog> did not open"
    link.click()
    browser_page.wait_for_url(f"**/{SECOND}.html", timeout=10000)


def test_phone_menu_works_from_the_keyboard(reader, site_url):
    browser_page = _open(reader, site_url, 390)
    drawer = browser_page.locator("#pst-primary-sidebar-modal")
    button = browser_page.locator(MENU)
    _expanded_becomes(browser_page, MENU, "false")
    for key in ("Enter", " "):
        button.focus()
        browser_page.keyboard.press(key)
        browser_page.wait_for_function(
            "() => document.querySelector('#pst-primary-sidebar-modal').open", timeout=5000
        )
        _expanded_becomes(browser_page, MENU, "true")
        browser_page.keyboard.press("Escape")
        browser_page.wait_for_function(
            "() => !document.querySelector('#pst-primary-sidebar-modal').open", timeout=5000
        )
        # Escape closes the drawer without the button, which must hear of it all the same.
        _expanded_becomes(browser_page, MENU, "false")
        assert button.evaluate("b => b === document.activeElement"), (
            f"after {key!r} and Escape, focus did not return to the menu button"
        )
    button.focus()
    browser_page.keyboard.press("Enter")
    target = _drawer_link_to(browser_page, SECOND)
    target.wait_for(state="visible", timeout=5000)
    for _ in range(60):
        browser_page.keyboard.press("Tab")
        if target.evaluate("a => a === document.activeElement"):
            break
    else:
        raise AssertionError(f"Tab never reached the drawer's link to {SECOND}")
    assert drawer.evaluate("d => d.contains(document.activeElement)")
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_url(f"**/{SECOND}.html", timeout=10000)


def test_tablet_on_this_page_opens_the_section_list(reader, site_url):
    browser_page = _open(reader, site_url, 820)
    _expanded_becomes(browser_page, ON_THIS_PAGE, "false")
    browser_page.locator(ON_THIS_PAGE).click()
    sections = browser_page.locator("#pst-secondary-sidebar-modal a[href^='#']")
    sections.first.wait_for(state="visible", timeout=5000)
    _expanded_becomes(browser_page, ON_THIS_PAGE, "true")
    assert sections.count() >= 2, f"'On this page' lists {sections.count()} sections"
    anchor = sections.nth(1).get_attribute("href")
    sections.nth(1).click()
    browser_page.wait_for_url(f"**{anchor}", timeout=5000)


def test_the_buttons_a_reader_sees_are_named_by_what_they_open(reader, site_url):
    # The themes name them "Toggle primary sidebar" and "Toggle secondary sidebar".
    browser_page = _open(reader, site_url, 820)
    for name in ("Site navigation", "On this page"):
        buttons = browser_page.get_by_role("button", name=name, exact=True).filter(visible=True)
        assert buttons.count() == 1, f"{buttons.count()} visible buttons named {name!r}"


def test_the_menu_buttons_state_follows_a_turn_of_the_screen(reader, site_url):
    # A tablet turned upright crosses 992 px: the sidebar shown beside the text becomes a
    # closed drawer, and the button must say so without being pressed.
    browser_page = _open(reader, site_url, 1280)
    _expanded_becomes(browser_page, MENU, "true")
    browser_page.set_viewport_size({"width": 820, "height": 1100})
    _expanded_becomes(browser_page, MENU, "false")
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    _expanded_becomes(browser_page, MENU, "true")


@pytest.mark.parametrize("width", [960, 991])
def test_between_the_themes_breakpoints_the_menu_opens_a_drawer_as_on_a_tablet(reader, site_url, width):
    # pydata-sphinx-theme shows the sidebar beside the text from 960 px, the book theme's button
    # collapses it in place from 992 px: between them the button opened a drawer that emptied
    # the sidebar shown beside the text, and said it was closed.
    browser_page = _open(reader, site_url, width)
    assert not browser_page.locator("#pst-primary-sidebar").is_visible(), f"{width} px: a sidebar beside the text"
    _expanded_becomes(browser_page, MENU, "false")
    browser_page.locator(MENU).click()
    _drawer_link_to(browser_page, SECOND).wait_for(state="visible", timeout=5000)
    _expanded_becomes(browser_page, MENU, "true")


def test_desktop_menu_button_collapses_and_restores_the_sidebar(reader, site_url):
    browser_page = _open(reader, site_url, 1280)
    sidebar = browser_page.locator("#pst-primary-sidebar")
    button = browser_page.locator(MENU)
    assert sidebar.is_visible()
    _expanded_becomes(browser_page, MENU, "true")
    button.click()
    browser_page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility"
        " === 'hidden'",
        timeout=5000,
    )
    _expanded_becomes(browser_page, MENU, "false")
    button.click()
    browser_page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility"
        " === 'visible'",
        timeout=5000,
    )
    _expanded_becomes(browser_page, MENU, "true")


def test_a_click_on_a_solutions_title_opens_it_even_on_the_exercises_name(reader, site_url):
    # The name linked the exercise above; followed, the link jumped there and left the solution
    # closed, by mouse, touch or keyboard (_static/solution-titles.js makes it plain text).
    browser_page = _open(reader, site_url, 390)
    solution = browser_page.locator(".solution.dropdown").first
    title = solution.locator(".admonition-title")
    assert title.locator("a").count() == 0, "the exercise's name in the title is still a link"
    code = solution.locator("div.highlight").first
    assert not code.is_visible(), "the first solution is open before any click"
    title.scroll_into_view_if_needed()
    name = title.evaluate(
        """(title) => {
          const text = [...title.childNodes].find((node) => node.textContent.includes("Exercise"));
          const range = document.createRange();
          range.selectNodeContents(text);
          const box = range.getBoundingClientRect();
          return {x: box.left + box.width / 2, y: box.top + box.height / 2};
        }"""
    )
    browser_page.mouse.click(name["x"], name["y"])
    code.wait_for(state="visible", timeout=5000)
    assert "#" not in browser_page.url, f"the click followed a link: {browser_page.url}"


# What WCAG 2.5.5 (AAA) asks of a target for a fingertip, in CSS px, each way.
FINGERTIP = 44
_BOXES = """els => els.filter((e) => e.checkVisibility()).map((e) => {
  const box = e.getBoundingClientRect();
  return {name: (e.getAttribute('aria-label') || e.textContent).trim().slice(0, 40),
          width: box.width, height: box.height, left: box.left, right: box.right,
          display: getComputedStyle(e).display, code: Boolean(e.querySelector('code')),
          listed: e.matches('nav li > a, summary, .admonition-title')};
})"""


def test_every_control_a_finger_taps_is_a_fingertip_wide_and_high_on_a_touch_screen(reader, site_url):
    # The header's buttons, their menus' items, both drawers' links and buttons, a folded
    # cell's "Show code" line (the themes drew them 26 to 37 px high) and a solution's title.
    # At 320 px, where the header's seven buttons fill the row, on a chapter whose section
    # titles hold inline code.
    browser_page = _open(reader, site_url, 320, SECOND, touch=True)
    assert browser_page.evaluate("matchMedia('(pointer: coarse)').matches"), "no touch screen emulated"
    boxes = {"header": browser_page.locator(".bd-header-article button").evaluate_all(_BOXES)}
    for menu in browser_page.locator(".bd-header-article .dropdown-toggle").all():
        menu.click()
        items = browser_page.locator(".bd-header-article .dropdown-menu.show .dropdown-item")
        items.first.wait_for(state="visible", timeout=5000)
        boxes[menu.get_attribute("aria-label")] = items.evaluate_all(_BOXES)
        menu.click()
    for toggle, drawer in ((MENU, "#pst-primary-sidebar-modal"), (ON_THIS_PAGE, "#pst-secondary-sidebar-modal")):
        browser_page.locator(toggle).click()
        browser_page.locator(f"{drawer} a[href]").first.wait_for(state="visible", timeout=5000)
        boxes[drawer] = browser_page.locator(f"{drawer} a[href], {drawer} button").evaluate_all(_BOXES)
        browser_page.keyboard.press("Escape")
        browser_page.locator(drawer).wait_for(state="hidden", timeout=5000)
    boxes["folds"] = browser_page.locator(
        "details.hide > summary, .solution.dropdown > .admonition-title"
    ).evaluate_all(_BOXES)
    assert len(boxes) == 6 and all(boxes.values()), f"a group of controls was not found: {boxes}"
    small = {group: [b for b in found if min(b["width"], b["height"]) < FINGERTIP] for group, found in boxes.items()}
    assert not any(small.values()), f"smaller than {FINGERTIP} px on a touch screen: {small}"
    width = browser_page.evaluate("innerWidth")
    outside = [b for b in boxes["header"] if b["left"] < 0 or b["right"] > width]
    assert not outside, f"header buttons past the {width} px screen's edge: {outside}"
    # A contents link or fold line made a flex box to centre its words lays its text and
    # inline code out as columns with no space between them ("Your ownnn.Linear").
    texts = [b for group in ("#pst-primary-sidebar-modal", "#pst-secondary-sidebar-modal", "folds")
             for b in boxes[group] if b["listed"]]
    assert any(b["code"] for b in texts), "no drawer link holds inline code: pick another page"
    boxed = [b for b in texts if b["display"] not in ("block", "list-item")]
    assert not boxed, f"links or fold lines no longer laid out as text: {boxed}"


def test_a_section_picked_on_a_phone_closes_the_drawer_and_no_tooltip_stays_in_the_way(reader, site_url):
    # The drawer covered most of the screen over the section the reader had picked. Closed, it
    # gives its button the focus back, where Bootstrap showed the button's tooltip (under the
    # themes' name for it) over the header's other buttons, and the tooltip took the next tap.
    browser_page = _open(reader, site_url, 390, SECOND, touch=True)
    names = browser_page.locator(f"{MENU}, {ON_THIS_PAGE}").evaluate_all(
        "bs => bs.map((b) => [b.getAttribute('aria-label'),"
        " b.getAttribute('data-bs-original-title') || b.getAttribute('title')])"
    )
    assert names and all(label == tip for label, tip in names), f"tooltips apart from the names: {names}"
    browser_page.locator(ON_THIS_PAGE).tap()
    section = browser_page.locator("#pst-secondary-sidebar-modal a[href^='#']").nth(2)
    section.wait_for(state="visible", timeout=5000)
    target = section.get_attribute("href")
    section.tap()
    browser_page.locator("#pst-secondary-sidebar-modal").wait_for(state="hidden", timeout=5000)
    browser_page.wait_for_function("(hash) => location.hash === hash", arg=target, timeout=5000)
    # The theme's Bootstrap shows a tooltip 500 ms after the focus arrives, from a timer set
    # then: one set now for 600 ms fires after it, however late a busy machine runs both.
    browser_page.evaluate("() => new Promise((done) => setTimeout(done, 600))")
    shown = browser_page.locator(".tooltip").evaluate_all(
        "ts => ts.filter((t) => t.checkVisibility()).map((t) => t.textContent)"
    )
    assert not shown, f"a tooltip stays over the header after the drawer closed: {shown}"


_HEADER_BUTTONS = ".bd-header-article :is(button, a.btn)"


@pytest.mark.parametrize("width", [390, 1280])
def test_a_header_button_taking_the_focus_leaves_the_page_where_the_reader_was(reader, site_url, width):
    # Focused in the header's band at the window's top (scroll-padding-top), each button read as
    # hidden, and the browser scrolled the page some 400 px up to show it: a tap on the colour
    # mode, Tab into the header, or a drawer handing the focus back to its button.
    browser_page = _open(reader, site_url, width, SECOND, touch=width < 992)
    moved = {}
    buttons = browser_page.locator(_HEADER_BUTTONS).filter(visible=True)
    assert buttons.count() >= 5, f"{buttons.count()} buttons in the header at {width} px"
    for i in range(buttons.count()):
        browser_page.evaluate("() => { document.activeElement.blur(); window.scrollTo(0, 6000); }")
        before = browser_page.evaluate("() => window.scrollY")
        assert before == 6000, f"the page is too short to scroll to 6000 px: at {before}"
        buttons.nth(i).focus()
        browser_page.wait_for_timeout(100)
        after = browser_page.evaluate("() => window.scrollY")
        if after != before:
            moved[buttons.nth(i).get_attribute("aria-label")] = after - before
    assert not moved, f"the page scrolled (px) as these took the focus: {moved}"


def _focus_after_picking(browser_page, key):
    """Opens "On this page", picks its third section by `key` ("Enter" or a tap), and gives
    the section's id, the focused element's tag and text, and the heading's top."""
    browser_page.evaluate("() => window.scrollTo(0, 3000)")
    browser_page.locator(ON_THIS_PAGE).click()
    link = browser_page.locator("#pst-secondary-sidebar-modal a[href^='#']").filter(visible=True).nth(2)
    link.wait_for(state="visible", timeout=5000)
    target = link.get_attribute("href")
    if key == "Enter":
        link.focus()
        browser_page.keyboard.press("Enter")
    else:
        link.tap()
    browser_page.locator("#pst-secondary-sidebar-modal").wait_for(state="hidden", timeout=5000)
    # The focus moves in the drawer's close event, queued after it hides: waited for, and on
    # a timeout the caller's assertion says where the focus went.
    with contextlib.suppress(PlaywrightTimeout):
        browser_page.wait_for_function(
            """(target) => document.activeElement === document.getElementById(target.slice(1))
                 .querySelector(':scope > h2, :scope > h3')""", arg=target, timeout=5000)
    return browser_page.evaluate("""(target) => {
      const heading = document.getElementById(target.slice(1)).querySelector(':scope > h2, :scope > h3');
      return {target, focused: document.activeElement.localName,
              text: document.activeElement.textContent.trim().slice(0, 40),
              isHeading: document.activeElement === heading,
              top: Math.round(heading.getBoundingClientRect().top),
              header: Math.round(document.querySelector('.bd-header-article').getBoundingClientRect().bottom)};
    }""", target)


@pytest.mark.parametrize("key", ["Enter", "tap"])
def test_a_section_picked_from_on_this_page_takes_the_focus_to_its_heading(reader, site_url, key):
    # The themes gave the focus back to "On this page", in the header: a screen reader read on
    # from there, not from the section picked, and a tap scrolled the heading 400 px down.
    browser_page = _open(reader, site_url, 390, SECOND, touch=True)
    picked = _focus_after_picking(browser_page, key)
    assert picked["isHeading"], f"after picking {picked['target']} ({key}), the focus is on {picked}"
    assert picked["header"] <= picked["top"] <= picked["header"] + 16, f"the heading is not under the header: {picked}"


@pytest.mark.parametrize("width", [390, 1280])
def test_the_search_dialog_gives_the_focus_back_to_the_button_that_opened_it(reader, site_url, width):
    # On a phone the focus fell to the page's start: the next Tab began again from the top.
    browser_page = _open(reader, site_url, width, SECOND)
    button = browser_page.locator(".search-button__button").filter(visible=True).first
    button.focus()
    browser_page.keyboard.press("Enter")
    browser_page.wait_for_function("() => document.getElementById('pst-search-dialog').open", timeout=5000)
    browser_page.keyboard.press("Escape")
    browser_page.wait_for_function("() => !document.getElementById('pst-search-dialog').open", timeout=5000)
    # The focus comes back in the dialog's close event and a timeout after it.
    with contextlib.suppress(PlaywrightTimeout):
        browser_page.wait_for_function("(b) => b === document.activeElement", arg=button.element_handle(),
                                       timeout=5000)
    focused = browser_page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
    assert button.evaluate("b => b === document.activeElement"), f"the focus went to {focused}"


def test_each_drawer_and_the_search_dialog_is_named(reader, site_url):
    # A screen reader said only "dialog" as each opened.
    browser_page = _open(reader, site_url, 390, SECOND)
    for opener, name in ((MENU, "Site navigation"), (ON_THIS_PAGE, "On this page"),
                         (".bd-header-article .search-button__button", "Search")):
        browser_page.locator(opener).click()
        dialog = browser_page.get_by_role("dialog", name=name, exact=True)
        dialog.wait_for(state="visible", timeout=5000)
        browser_page.keyboard.press("Escape")
        dialog.wait_for(state="hidden", timeout=5000)

# What Safari on an iPhone says: no element but a video can be shown full screen.
_NO_FULLSCREEN = """for (const name of ['fullscreenEnabled', 'webkitFullscreenEnabled']) {
  Object.defineProperty(Document.prototype, name, {get: () => false, configurable: true});
}"""


def test_the_fullscreen_button_shows_only_where_the_browser_can_go_full_screen(reader, site_url):
    # The book theme's button called requestFullscreen, which an iPhone's Safari lacks for a
    # page: a tap did nothing (_static/fullscreen.js).
    button = ".bd-header-article .btn-fullscreen-button"
    can = _open(reader, site_url, 390, touch=True)
    assert can.locator(button).is_visible(), "no full-screen button where the browser has full screen"
    cannot = _open(reader, site_url, 390, touch=True, init_script=_NO_FULLSCREEN)
    assert cannot.locator(button).count() == 1 and not cannot.locator(button).is_visible(), (
        "a full-screen button that does nothing is shown where the browser has no full screen"
    )
