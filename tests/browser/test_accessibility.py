"""Every page passes axe-core's WCAG 2.1 A and AA rules on a desktop and on a phone, and its
colours pass them in dark mode too.

axe-core comes from npm (tests/browser/package.json, installed by scripts/install-browser.sh)
and is injected into each page from that file, so nothing is fetched from the internet.
On the desktop the best-practice rules run too; their results are written, with everything
else axe found, to <build>/accessibility/<page>--<width>-<mode>.json for people to read, and
do not fail the test. Dark mode changes colours and nothing else, so there only the rules
that read colours run: a full audit costs about three times as much on a long chapter.
"""

import json

import pytest
from site_pages import ACCESSIBILITY_REPORTS, AXE, toc_pages

PAGES = toc_pages()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What each audit runs, in axe's runOnly form.
EVERY_RULE = {"type": "tag", "values": [*WCAG_21_AA, "best-practice"]}
WCAG_RULES = {"type": "tag", "values": WCAG_21_AA}
COLOUR_RULES = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}


@pytest.fixture(scope="session")
def axe_source():
    if not AXE.is_file():
        pytest.fail(
            f"no axe-core at {AXE}: run `bash scripts/install-browser.sh` "
            "(it runs `npm ci --prefix tests/browser`)"
        )
    return AXE.read_text(encoding="utf-8")


def _audit(reader, site_url, axe_source, page, width, mode, rules):
    browser_page = reader(width, color_scheme=mode)
    browser_page.goto(f"{site_url}{page}.html", wait_until="load")
    browser_page.evaluate("() => window.MathJax?.startup?.promise")
    shown = browser_page.evaluate("() => document.documentElement.dataset.theme")
    assert shown == mode, f"{page}: asked for {mode} mode, the page shows {shown!r}"
    browser_page.add_script_tag(content=axe_source)
    results = browser_page.evaluate(
        """(rules) => axe.run(document, {
             runOnly: rules, resultTypes: ['violations', 'incomplete'],
           })""",
        rules,
    )
    ACCESSIBILITY_REPORTS.mkdir(parents=True, exist_ok=True)
    report = ACCESSIBILITY_REPORTS / f"{page.replace('/', '__')}--{width}-{mode}.json"
    report.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


def _describe(violation):
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x: {targets})"


@pytest.mark.parametrize(
    ("width", "mode", "rules"),
    [(1280, "light", EVERY_RULE), (1280, "dark", COLOUR_RULES), (390, "light", WCAG_RULES)],
    ids=["1280-light", "1280-dark-colours", "390-light"],
)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_wcag_violations(reader, site_url, axe_source, page, width, mode, rules):
    results = _audit(reader, site_url, axe_source, page, width, mode, rules)
    failing = [v for v in results["violations"] if set(v["tags"]) & set(WCAG_21_AA)]
    assert not failing, (
        f"{page} at {width} px, {mode} mode: {[_describe(v) for v in failing]}"
    )
