"""The optimizer explorer of chapter 04 on the built site: it draws without a kernel and
without the network, and moving a slider redraws the paths.

Run after building the site: `python -m pytest tests/browser/test_explorer.py -q`.
"""

import re

import pytest
from site_pages import SITE, contrast, rgba

PAGE = "book/04_optimizers.html"


def _open(reader, site_url, width=1280, touch=False, color_scheme="light"):
    page = reader(width, color_scheme, touch=touch)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}{PAGE}", wait_until="load")
    page.wait_for_selector(".optimizer-explorer[data-ready=true]", timeout=15000)
    return page, errors


@pytest.mark.parametrize("width, touch", [(320, False), (390, False), (390, True), (1280, False)])
def test_the_controls_and_legend_keep_their_lines_on_a_phone(reader, site_url, width, touch):
    # At 390 px the sliders' values wrapped onto lines of their own, the optimizers' second
    # line started under the row's name, and the legend broke 1.9e-3 at its hyphen; at 320 px,
    # the narrowest screen WCAG's reflow criterion asks for, the rate's value wrapped still. A
    # touch screen's taller controls (explorer.css) must keep those lines too.
    page, _ = _open(reader, site_url, width, touch)
    rows = page.locator(".optimizer-explorer .explorer-row:has(input[type=range])").evaluate_all(
        """rows => rows.map(row => Array.from(row.children, child => {
            const box = child.getBoundingClientRect();
            return [child.tagName.toLowerCase(), box.top, box.bottom];
        }))"""
    )
    assert len(rows) == 3, rows
    for row in rows:
        name, *controls = row
        for tag, top, bottom in controls:
            assert top < name[2] and name[1] < bottom, f"at {width} px the {tag} is not on its name's line: {row}"
    lefts = page.locator(".optimizer-explorer .explorer-option").evaluate_all(
        "options => options.map(o => o.getBoundingClientRect().left)"
    )
    assert min(lefts) == pytest.approx(lefts[0], abs=1), f"at {width} px an option starts left of the first: {lefts}"
    # At 390 px on a touch screen the four boxes wrapped raggedly beside the row's name: one,
    # one, then two. Lines of options hold as many each.
    tops = page.locator(".optimizer-explorer .explorer-option").evaluate_all(
        "options => options.map(o => Math.round(o.getBoundingClientRect().top))"
    )
    per_line = [tops.count(top) for top in sorted(set(tops))]
    assert len(set(per_line)) == 1, f"at {width} px the optimizers' lines hold {per_line} boxes"
    broken = page.locator(".optimizer-explorer .explorer-number").evaluate_all(
        "numbers => numbers.filter(n => n.getClientRects().length > 1).map(n => n.textContent)"
    )
    assert page.locator(".optimizer-explorer .explorer-number").count() >= 4
    assert not broken, f"at {width} px the legend breaks {broken} across lines"


def test_every_control_is_a_fingers_height_on_a_touch_screen(reader, site_url):
    page, errors = _open(reader, site_url, 390, touch=True)
    assert page.evaluate("matchMedia('(pointer: coarse)').matches"), "no touch screen emulated"
    controls = page.locator(
        ".optimizer-explorer input[type=range], .optimizer-explorer select, .optimizer-explorer .explorer-option"
    ).evaluate_all("els => els.map(e => [e.localName, e.textContent, e.getBoundingClientRect().height])")
    assert len(controls) >= 8, controls
    short = [control for control in controls if control[2] < 44]
    assert not short, f"controls shorter than 44 px on a touch screen: {short}"
    assert not errors


def test_each_slider_tells_a_screen_reader_its_value_not_its_position(reader, site_url):
    page, _ = _open(reader, site_url)
    sliders = page.locator(".optimizer-explorer input[type=range]")
    rate = sliders.first
    rate.focus()
    page.keyboard.press("ArrowLeft")
    said = sliders.evaluate_all(
        "els => els.map(e => [e.getAttribute('aria-valuetext'), e.nextElementSibling.textContent,"
        " e.nextElementSibling.getAttribute('aria-live')])"
    )
    assert len(said) == 3 and all(text == shown and live == "off" for text, shown, live in said), said
    assert said[0][0] != rate.input_value(), f"the rate slider reads its position: {said[0]}"


def test_a_screen_reader_hears_the_new_paths_once_the_slider_rests(reader, site_url):
    # A live legend read out all its lines at every notch of a slider; now one status says what
    # the paths show once the controls rest, and nothing is said on load.
    page, _ = _open(reader, site_url)
    legend = page.locator(".optimizer-explorer .explorer-legend")
    status = page.locator(".optimizer-explorer [role=status]")
    assert legend.get_attribute("aria-live") in (None, "off")
    assert status.text_content() == "", "the explorer speaks before the reader touches it"
    slider = page.locator(".optimizer-explorer input[type=range]").first
    slider.focus()
    # The page's clock stands still while the keys are pressed: on a busy machine the time
    # between two presses could pass the explorer's wait (SETTLE_MS, 700 ms, in
    # _static/explorer/explorer.js) and fill the status in between.
    page.clock.install()
    page.clock.pause_at(page.evaluate("() => Date.now()") / 1000 + 1)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert status.text_content() == "", "the status spoke while the slider was still moving"
    page.clock.run_for(600)
    assert status.text_content() == "", "the status spoke before the slider had rested"
    page.clock.run_for(200)
    said = status.text_content()
    lines = legend.locator("li").all_inner_texts()
    assert len(lines) == 4 and all(line.strip() in said for line in lines), (said, lines)
    assert status.evaluate("e => e.getBoundingClientRect().width") <= 1, "the status shows on screen"


def _points(page, optimizer):
    return page.locator(f".optimizer-explorer polyline[data-optimizer={optimizer}]").get_attribute("points")


def test_explorer_draws_every_optimizer_offline(reader, site_url):
    page, errors = _open(reader, site_url)
    for name in ["SGD", "momentum", "RMSProp", "Adam"]:
        assert len(_points(page, name).split()) > 1, f"{name}: no path drawn"
    assert len(page.locator(".optimizer-explorer .explorer-legend li").all()) == 4
    assert not errors, errors
    assert not page.context.external_requests, page.context.external_requests


def test_learning_rate_slider_redraws_the_paths(reader, site_url):
    page, _ = _open(reader, site_url)
    before = {name: _points(page, name) for name in ["SGD", "Adam"]}
    legend_before = page.locator(".optimizer-explorer .explorer-legend").inner_text()
    slider = page.locator(".optimizer-explorer input[type=range]").first
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    for name, points in before.items():
        assert _points(page, name) != points, f"{name}: path unchanged after moving the learning-rate slider"
    assert page.locator(".optimizer-explorer .explorer-legend").inner_text() != legend_before


def test_beta_slider_changes_momentum_but_not_plain_sgd(reader, site_url):
    page, _ = _open(reader, site_url)
    sgd, momentum = _points(page, "SGD"), _points(page, "momentum")
    beta = page.locator(".optimizer-explorer input[type=range]").nth(1)
    beta.focus()
    page.keyboard.press("ArrowLeft")
    assert _points(page, "momentum") != momentum
    assert _points(page, "SGD") == sgd, "plain SGD has no β: its path must not move"


def test_explorer_draws_on_the_site_opened_from_disk(browser):
    # As a reader who opens _build/html/index.html sees it: a file:// page may not fetch
    # a file, so the data must come in the page itself (_ext/explorer_data.py).
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((SITE / PAGE).as_uri(), wait_until="load")
        page.wait_for_selector(".optimizer-explorer[data-ready=true]", timeout=15000)
        for name in ["SGD", "momentum", "RMSProp", "Adam"]:
            assert len(_points(page, name).split()) > 1, f"{name}: no path drawn"
        assert not errors, errors
    finally:
        context.close()


def test_the_data_is_published_only_inside_the_page():
    # _config.yml's exclude_patterns keeps Sphinx from copying the file the page embeds.
    assert sorted(p.name for p in (SITE / "_static" / "explorer").iterdir()) == ["explorer.css", "explorer.js"]
    assert '<script type="application/json" class="optimizer-explorer-data">' in (SITE / PAGE).read_text()


def _legend(page):
    return [line.strip() for line in page.locator(".optimizer-explorer .explorer-legend li").all_inner_texts()]


def test_unticking_an_optimizer_takes_away_its_path_and_its_line(reader, site_url):
    page, _ = _open(reader, site_url)
    box = page.locator(".optimizer-explorer input[type=checkbox][data-optimizer=Adam]")
    box.uncheck()
    assert page.locator(".optimizer-explorer polyline[data-optimizer=Adam]").count() == 0
    assert len(_legend(page)) == 3 and not any(line.startswith("Adam") for line in _legend(page)), _legend(page)
    box.check()
    assert _points(page, "Adam") and len(_legend(page)) == 4


def test_another_surface_redraws_its_contours_paths_and_description(reader, site_url):
    page, _ = _open(reader, site_url)
    svg = page.locator(".optimizer-explorer svg")

    def drawn():
        return svg.locator("g").first.inner_html(), _points(page, "SGD"), svg.locator("title").text_content()

    before = drawn()
    menu = page.locator(".optimizer-explorer select")
    assert menu.locator("option").count() >= 2
    menu.select_option(index=1)
    assert svg.locator("g").first.locator("polyline").count() > 0, "no contour lines on the second surface"
    unchanged = [what for what, old, new in zip(["contours", "SGD's path", "description"], before, drawn())
                 if old == new]
    assert not unchanged, f"unchanged after choosing another surface: {unchanged}"


def test_the_legend_reads_the_controls(reader, site_url):
    # Each line's rate is its optimizer's own rate times the factor the slider shows (1 at
    # first), each path is drawn to the step the steps slider shows unless it left the window,
    # and the momentum line follows β.
    page, _ = _open(reader, site_url)
    data = page.evaluate("() => JSON.parse(document.querySelector('script.optimizer-explorer-data').textContent)")
    own_rates = {name: o["lr"] for name, o in data["surfaces"][0]["optimizers"].items()}
    rate, beta, steps = (page.locator(".optimizer-explorer input[type=range]").nth(i) for i in range(3))
    assert rate.get_attribute("aria-valuetext") == "1"
    rate.focus()
    page.keyboard.press("ArrowRight")
    factor = float(rate.get_attribute("aria-valuetext"))
    lines = _legend(page)
    assert len(lines) == 4, lines
    for line in lines:
        name = line.split(" (")[0]
        shown = float(re.search(r"\(lr ([^,)]+)", line).group(1))
        # The legend gives two or three significant digits.
        assert shown == pytest.approx(own_rates[name] * factor, rel=0.05), line
        points = len(_points(page, name).split())
        assert points == int(steps.input_value()) + 1 or "left the window" in line, (line, points)
    momentum = next(line for line in lines if line.startswith("momentum"))
    beta.focus()
    page.keyboard.press("ArrowLeft")
    assert next(line for line in _legend(page) if line.startswith("momentum")) != momentum


def test_in_dark_mode_the_explorer_keeps_the_pages_background(reader, site_url):
    # The theme sets every HTML output on a light panel in dark mode, and the explorer, drawn
    # in the theme's dark colours, sat on it: dark menus, dark slider tracks, grey contours.
    page, _ = _open(reader, site_url, color_scheme="dark")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'", timeout=5000)
    panel, body = page.evaluate(
        "() => [getComputedStyle(document.querySelector('.optimizer-explorer').parentElement)"
        ".backgroundColor, getComputedStyle(document.body).backgroundColor]"
    )
    assert panel in ("rgba(0, 0, 0, 0)", body), f"the explorer sits on {panel} on a {body} page"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_path_and_contour_stands_out_from_the_page(reader, site_url, scheme):
    # WCAG 2.1's 1.4.11 asks 3:1 of the graphics a reader needs. Momentum's orange path drew
    # at 2.5:1 on the light page, and the grey contours at 2.3:1.
    page, _ = _open(reader, site_url, color_scheme=scheme)
    page.wait_for_function(f"() => document.documentElement.dataset.theme === '{scheme}'", timeout=5000)
    body = rgba(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
    assert body[3] == 1, f"the page's background is not opaque: {body}"
    drawn = page.locator(
        ".optimizer-explorer polyline, .optimizer-explorer circle, .optimizer-explorer .explorer-swatch"
    ).evaluate_all(
        """els => els.map(e => {
            const style = getComputedStyle(e);
            const kind = e.localName === "polyline" ? "stroke" : e.localName === "circle" ? "fill" : "backgroundColor";
            const what = e.dataset.optimizer || (e.localName === "span" ? e.parentElement.textContent.slice(0, 12)
                : e.localName === "polyline" ? "contour" : "start");
            return [e.localName, what, style[kind]];
        })"""
    )
    kinds = {kind for kind, _, _ in drawn}
    assert kinds == {"polyline", "circle", "span"}, f"the explorer drew {kinds}"
    assert sum(kind == "polyline" and name in ("SGD", "momentum", "RMSProp", "Adam") for kind, name, _ in drawn) == 4
    faint = sorted(
        {(kind, name, colour) for kind, name, colour in drawn if contrast(rgba(colour)[:3], body[:3]) < 3}
    )
    assert not faint, f"in {scheme} mode these draw under 3:1 on the page: {faint}"


def test_a_screen_reader_hears_each_paths_numbers_once(reader, site_url):
    # The plot was named by the legend's lines too, so that a screen reader read each
    # optimizer's rate and loss twice, the plot's name and then the list below it.
    page, _ = _open(reader, site_url)
    plot = page.get_by_role("img", name=re.compile("^Paths on "))
    assert plot.count() == 1 and len(_legend(page)) == 4, _legend(page)
    name = plot.evaluate("svg => svg.querySelector('title').textContent")
    # Each line's optimizer, and each number it gives (a rate, a β, a loss).
    said = [part for line in _legend(page) for part in [line.split(" (")[0], *re.findall(r"\d[\d.e-]*", line)]]
    repeated = [part for part in said if part in name and part not in ("60", "1")]
    assert not repeated, f"the plot's name {name!r} repeats the legend's {repeated}"
