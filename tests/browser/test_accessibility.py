"""Every page passes axe-core's WCAG 2.1 A and AA rules on a desktop and on a phone, and its
colours pass them in dark mode too.

axe-core comes from npm (tests/browser/package.json, installed by scripts/install-browser.sh)
and is injected into each page from that file, so nothing is fetched from the internet.
On the desktop the best-practice rules run too; their results are written, with everything
else axe found, to <build>/accessibility/<page>--<width>-<mode>.json for people to read, and
do not fail the test. Dark mode changes colours and nothing else, so there only the rules
that read colours run: a full audit costs about three times as much on a long chapter.
The dark audit switches the desktop page's colour scheme as a reader's system would, and the
page must follow it (the theme's automatic mode).

An audit of a long chapter takes seconds of one core, so a page's phone audit runs in its
own browser process while the desktop ones run in another.
"""

import functools
import json

import pytest
from playwright.sync_api import TimeoutError
from site_pages import ACCESSIBILITY_REPORTS, AXE, toc_pages

PAGES = toc_pages()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What each audit runs, in axe's runOnly form.
EVERY_RULE = {"type": "tag", "values": [*WCAG_21_AA, "best-practice"]}
WCAG_RULES = {"type": "tag", "values": WCAG_21_AA}
COLOUR_RULES = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
# (width, colour scheme, rules) of each audit; the phone's runs beside the desktop's.
DESKTOP = [(1280, "light", EVERY_RULE), (1280, "dark", COLOUR_RULES)]
PHONE = (390, "light", WCAG_RULES)

# Starts an audit and keeps its promise on the page, to be collected later.
_START = """(rules) => {
  window.lesson5Audit = axe.run(document, {
    runOnly: rules, resultTypes: ['violations', 'incomplete'],
  });
}"""


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        pytest.fail(
            f"no axe-core at {AXE}: run `bash scripts/install-browser.sh` "
            "(it runs `npm ci --prefix tests/browser`)"
        )
    return AXE.read_text(encoding="utf-8")


def _theme(browser_page, page, mode):
    """Sets the reader's system colour scheme to `mode` and waits for the page to follow."""
    browser_page.emulate_media(color_scheme=mode)
    try:
        browser_page.wait_for_function(
            "(mode) => document.documentElement.dataset.theme === mode", arg=mode, timeout=5000
        )
    except TimeoutError:
        seen = browser_page.evaluate("() => document.documentElement.dataset.theme")
        pytest.fail(f"{page}: the reader's system asks for {mode} mode, the page shows {seen!r}")
    # The theme fades colours from one scheme to the other: audit them where they end.
    browser_page.evaluate(
        "() => Promise.all(document.getAnimations()"
        ".filter((a) => a instanceof CSSTransition)"
        ".map((a) => a.finished.catch(() => null)))"
    )


def _start(browser_page, axe_source, rules):
    if not browser_page.evaluate("() => Boolean(window.axe)"):
        browser_page.add_script_tag(content=axe_source)
    browser_page.evaluate(_START, rules)


def _collect(browser_page):
    return browser_page.evaluate("() => window.lesson5Audit")


@pytest.fixture(scope="session")
def audits(shown, axe_source):
    """audits(page)[(width, mode)]: axe's results for the page, every audit run once."""

    @functools.cache
    def audit(page):
        phone = shown(page, PHONE[0])
        _start(phone, axe_source, PHONE[2])
        desktop = shown(page, 1280)
        results = {}
        try:
            for width, mode, rules in DESKTOP:
                _theme(desktop, page, mode)
                _start(desktop, axe_source, rules)
                results[(width, mode)] = _collect(desktop)
        finally:
            _theme(desktop, page, "light")
            results[PHONE[:2]] = _collect(phone)
        ACCESSIBILITY_REPORTS.mkdir(parents=True, exist_ok=True)
        for (width, mode), found in results.items():
            report = ACCESSIBILITY_REPORTS / f"{page.replace('/', '__')}--{width}-{mode}.json"
            report.write_text(json.dumps(found, indent=1), encoding="utf-8")
        return results

    return audit


def _describe(violation):
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x: {targets})"


@pytest.mark.parametrize(
    ("width", "mode"),
    [audit[:2] for audit in [*DESKTOP, PHONE]],
    ids=["1280-light", "1280-dark-colours", "390-light"],
)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_wcag_violations(audits, page, width, mode):
    results = audits(page)[(width, mode)]
    failing = [v for v in results["violations"] if set(v["tags"]) & set(WCAG_21_AA)]
    assert not failing, (
        f"{page} at {width} px, {mode} mode: {[_describe(v) for v in failing]}"
    )
