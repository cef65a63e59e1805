"""The optimizer explorer of chapter 04 on the built site: it draws without a kernel and
without the network, and moving a slider redraws the paths.

Run after building the site: `python -m pytest tests/browser/test_explorer.py -q`.
"""

import pytest
from site_pages import SITE

PAGE = "book/04_optimizers.html"


def _open(reader, site_url, width=1280, touch=False):
    page = reader(width, touch=touch)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}{PAGE}", wait_until="load")
    page.wait_for_selector(".optimizer-explorer[data-ready=true]", timeout=15000)
    return page, errors


@pytest.mark.parametrize("width, touch", [(390, False), (390, True), (1280, False)])
def test_the_controls_and_legend_keep_their_lines_on_a_phone(reader, site_url, width, touch):
    # At 390 px the sliders' values wrapped onto lines of their own, the optimizers' second
    # line started under the row's name, and the legend broke 1.9e-3 at its hyphen. A touch
    # screen's taller controls (explorer.css) must keep those lines too.
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
