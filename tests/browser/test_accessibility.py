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

Code is checked once, not on every page. Most of the text a chapter's audit would check for
contrast is Pygments' token spans in code blocks (thousands on a chapter, each a word or a
bracket), coloured by one stylesheet, _static/pygments.css: checking them on every page made
axe's color-contrast rule about half of each audit. So in the page audits that rule skips
the spans directly inside a code block's <pre> (every other rule still sees them, and the
<pre>'s own text and anything else inside it are still checked), and instead
test_every_code_token_has_enough_contrast takes every token class the stylesheet defines,
used on the site or not, writes a span of each into a real code block of a chapter, in light
and in dark mode, and checks each one's colour against the background it shows on, by the
WCAG formula and with axe. What keeps that from missing anything: the stylesheet must define
the classes (test_pygments_stylesheet_defines_the_token_classes), and every span a page's
audits skipped must be one of those classes showing exactly the colours that were checked,
at each audit's width and colour scheme (test_code_left_out_of_audits_is_checked_tokens).

An audit of a long chapter takes seconds of one core, so a page's phone audit runs in its
own browser process while the desktop ones run in another.

Axe does not look at an open drawer against the page it covers: a test here does, in both
colour schemes. Nor does it decide the contrast of text another element overlaps (a table
cell under a scrolling box's edge or fade): a test here measures that text's own, without
what overlaps it.
"""

import functools
import json
from typing import NamedTuple

import pytest
from playwright.sync_api import TimeoutError
from site_pages import ACCESSIBILITY_REPORTS, AXE, chapter_pages, contrast, over, painted, rgba, toc_pages

PAGES = toc_pages()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# What each audit runs, in axe's runOnly form.
EVERY_RULE = {"type": "tag", "values": [*WCAG_21_AA, "best-practice"]}
WCAG_RULES = {"type": "tag", "values": WCAG_21_AA}
COLOUR_RULES = {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}
# (width, colour scheme, rules) of each audit; the phone's runs beside the desktop's.
DESKTOP = [(1280, "light", EVERY_RULE), (1280, "dark", COLOUR_RULES)]
PHONE = (390, "light", WCAG_RULES)
# Pygments' token spans, which the page audits' contrast rule skips (see above). An element
# axe is told to leave out costs it a comparison with every element on the page, so the
# rule's selector skips them instead: excluding the spans made an audit slower, not faster.
CODE_TOKENS = "div.highlight > pre > span"
# WCAG 2.1 AA's least contrast for text that is not large (1.4.3).
AA_CONTRAST = 4.5

# Starts an audit and keeps its promise on the page, to be collected later. axe does most of
# an audit's work before its promise first waits, so the audit begins in the page's next task:
# the call returns at once, and the phone's audit runs while the desktop page loads and is
# audited (on a long chapter that was 2.5 s of waiting per page).
_START = """(rules) => {
  window.lesson5Audit = new Promise((resolve) => setTimeout(resolve, 0)).then(
    () => axe.run(document, {runOnly: rules, resultTypes: ['violations', 'incomplete']}));
}"""
_SKIP_CODE_TOKENS = """(tokens) => axe.configure({
  rules: [{id: 'color-contrast', selector: `*:not(${tokens})`}],
})"""
# Each kind of element the selector finds, once: its tag, classes, colour and the background
# colours behind it, its own first, down to the first opaque one.
_STYLES = """(selector) => {
  const found = {};
  for (const el of document.querySelectorAll(selector)) {
    const backgrounds = [];
    for (let e = el; e; e = e.parentElement) {
      const background = getComputedStyle(e).backgroundColor;
      if (background !== 'rgba(0, 0, 0, 0)') { backgrounds.push(background); }
      if (background.startsWith('rgb(')) { break; }
    }
    const style = {tag: el.localName, classes: [...el.classList].sort().join(' '),
                   color: getComputedStyle(el).color, backgrounds: backgrounds};
    const key = JSON.stringify(style);
    found[key] ||= {...style, count: 0, text: el.textContent.slice(0, 30)};
    found[key].count += 1;
  }
  return Object.values(found);
}"""
# The token classes pygments.css defines for each colour scheme ('k', 'linenos special', ...).
_TOKEN_CLASSES = """() => {
  const sheet = Array.from(document.styleSheets).find(
    (s) => s.href && new URL(s.href).pathname.endsWith('/_static/pygments.css'));
  if (!sheet) { return null; }
  const classes = {};
  for (const rule of sheet.cssRules) {
    for (const selector of (rule.selectorText || '').split(',')) {
      const m = selector.trim().match(
        /^html\\[data-theme="(\\w+)"\\] \\.highlight (?:span)?((?:\\.[\\w-]+)+)$/);
      if (m) { (classes[m[1]] ||= new Set()).add(m[2].slice(1).split('.').sort().join(' ')); }
    }
  }
  return Object.fromEntries(Object.entries(classes).map(([mode, s]) => [mode, [...s].sort()]));
}"""
# Replaces the content of the first code block a reader sees (not one folded away) with a
# span of each token class (and one with none, the block's own text), a few to a line, and
# marks the block.
_WRITE_TOKENS = """([classes, perLine]) => {
  const pre = Array.from(document.querySelectorAll('div.highlight > pre')).find(
    (p) => p.checkVisibility());
  if (!pre) { return false; }
  pre.id = 'lesson5-tokens';
  pre.replaceChildren();
  classes.forEach((cls, i) => {
    const span = document.createElement('span');
    span.className = cls;
    // Long enough that axe does not set it aside as too short to judge.
    span.textContent = cls ? `token_${cls.replace(' ', '_')}` : 'plain_text';
    pre.append(span, (i + 1) % perLine ? ' ' : '\\n');
  });
  pre.scrollIntoView();
  return true;
}"""
_AUDIT_TOKENS = """() => axe.run('#lesson5-tokens', {
  runOnly: {type: 'rule', values: ['color-contrast']},
})"""


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
    # Finishing the fades puts every element's colours there at once (the same computed
    # colours, element for element, as waiting 1.5 s). Waiting on the fades' promises instead
    # took 0.5 s a switch, and hung (over 35 s, until stopped) on a page switched right after
    # loading: a copy button's fade stayed listed, marked finished, its promise never settled.
    browser_page.evaluate(
        "() => document.getAnimations()"
        ".filter((a) => a instanceof CSSTransition).forEach((a) => a.finish())"
    )


def _start(browser_page, axe_source, rules, start):
    if not browser_page.evaluate("() => Boolean(window.axe)"):
        browser_page.add_script_tag(content=axe_source)
        browser_page.evaluate(_SKIP_CODE_TOKENS, CODE_TOKENS)
    browser_page.evaluate(start, rules)


def _collect(browser_page):
    return browser_page.evaluate("() => window.lesson5Audit")


class PageAudit(NamedTuple):
    """axe's results for each (width, mode), what the contrast rule skipped there (each kind
    of code token, as _STYLES describes them), and the text whose contrast axe could not
    judge there (likewise)."""

    results: dict
    skipped: dict
    unjudged: dict


def _unjudged(browser_page, result):
    """The text of `result`'s nodes whose contrast axe left undecided (a table cell that a
    scrolling box's edge or its fade overlaps), as _STYLES describes it on `browser_page`."""
    nodes = [node for found in result["incomplete"] if found["id"] == "color-contrast" for node in found["nodes"]]
    if not nodes:
        return []
    return browser_page.evaluate(_STYLES, ", ".join(node["target"][-1] for node in nodes))


def audit_page(page, phone, open_desktop, axe_source, start=_START):
    """Every audit of `page` as a PageAudit: the phone's on the open page `phone`, started
    first so that it runs beside the desktop's, on the page `open_desktop()` returns.
    `start` is the script that starts an audit (benchmarks/bench_audit.py times another)."""
    skipped = {PHONE[:2]: phone.evaluate(_STYLES, CODE_TOKENS)}
    _start(phone, axe_source, PHONE[2], start)
    desktop = open_desktop()
    results, unjudged = {}, {}
    try:
        for width, mode, rules in DESKTOP:
            _theme(desktop, page, mode)
            skipped[(width, mode)] = desktop.evaluate(_STYLES, CODE_TOKENS)
            _start(desktop, axe_source, rules, start)
            results[(width, mode)] = _collect(desktop)
            unjudged[(width, mode)] = _unjudged(desktop, results[(width, mode)])
    finally:
        _theme(desktop, page, "light")
        results[PHONE[:2]] = _collect(phone)
    unjudged[PHONE[:2]] = _unjudged(phone, results[PHONE[:2]])
    return PageAudit(results, skipped, unjudged)


@pytest.fixture(scope="session")
def audits(shown, axe_source):
    """audits(page): the page's PageAudit, every audit run once."""

    @functools.cache
    def audit(page):
        found = audit_page(page, shown(page, PHONE[0]), lambda: shown(page, 1280), axe_source)
        ACCESSIBILITY_REPORTS.mkdir(parents=True, exist_ok=True)
        for (width, mode), result in found.results.items():
            report = ACCESSIBILITY_REPORTS / f"{page.replace('/', '__')}--{width}-{mode}.json"
            report.write_text(json.dumps(result, indent=1), encoding="utf-8")
        return found

    return audit


# Each audit of each page, as a test's parameters.
EVERY_AUDIT = pytest.mark.parametrize(
    ("width", "mode"),
    [audit[:2] for audit in [*DESKTOP, PHONE]],
    ids=["1280-light", "1280-dark-colours", "390-light"],
)


def _describe(violation):
    targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
    return f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}x: {targets})"


@EVERY_AUDIT
@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_wcag_violations(audits, page, width, mode):
    results = audits(page).results[(width, mode)]
    failing = [v for v in results["violations"] if set(v["tags"]) & set(WCAG_21_AA)]
    assert not failing, (
        f"{page} at {width} px, {mode} mode: {[_describe(v) for v in failing]}"
    )


@EVERY_AUDIT
@pytest.mark.parametrize("page", PAGES)
def test_text_axe_could_not_judge_has_enough_contrast(audits, page, width, mode):
    # axe leaves the contrast of text that another element overlaps undecided, and the audit
    # above reads only its violations: the table cells under a scrolling box's fade went
    # unchecked. Measured here against the backgrounds behind them, as for the code tokens:
    # the text itself, as a reader sees it once scrolled to, not under the fade, which dims
    # it on purpose, nor under whatever else overlaps it.
    audit = audits(page)
    results, styles = audit.results[(width, mode)], audit.unjudged[(width, mode)]
    undecided = sum(len(found["nodes"]) for found in results["incomplete"] if found["id"] == "color-contrast")
    assert sum(style["count"] for style in styles) >= undecided, f"{page}: not every undecided element was found"
    low = []
    for style in styles:
        foreground, background = _shown(style)
        ratio = contrast(foreground, background)
        if ratio < AA_CONTRAST:
            low.append(f"{style['tag']}.{style['classes']} {style['text']!r}: {ratio:.2f}:1")
    assert not low, f"{page} at {width} px, {mode} mode: text under {AA_CONTRAST}:1: {low}"


def _shown(style):
    """The opaque (foreground, background) a reader sees: each background painted over the
    one below it, the last over the browser's white canvas, and the text over them all."""
    background = painted(style["backgrounds"])
    return over(rgba(style["color"]), background), background


def _hex(rgb):
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


@pytest.fixture(scope="session")
def code_tokens(browser, site_url, axe_source):
    """Every token class pygments.css defines, each written into a real code block of the
    first chapter and measured in light and dark mode: {"classes": {mode: [class, ...]},
    "styles": {mode: {class: _STYLES entry}}, "axe": {mode: axe's results on the block}}."""
    page = chapter_pages()[0]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    browser_page = context.new_page()
    try:
        browser_page.goto(f"{site_url}{page}.html", wait_until="load")
        classes = browser_page.evaluate(_TOKEN_CLASSES)
        if not classes:
            pytest.fail(f"{page} does not load _static/pygments.css, or it defines no tokens")
        every_class = sorted({"", *(c for found in classes.values() for c in found)})
        if not browser_page.evaluate(_WRITE_TOKENS, [every_class, 8]):
            pytest.fail(f"{page} has no code block (div.highlight > pre) to write tokens into")
        browser_page.add_script_tag(content=axe_source)
        styles, audited = {}, {}
        for mode in ("light", "dark"):
            _theme(browser_page, page, mode)
            found = browser_page.evaluate(_STYLES, "#lesson5-tokens > span")
            styles[mode] = {style["classes"]: style for style in found}
            audited[mode] = browser_page.evaluate(_AUDIT_TOKENS)
    finally:
        context.close()
    return {
        "page": page, "classes": classes, "written": every_class, "styles": styles, "axe": audited
    }


def test_pygments_stylesheet_defines_the_token_classes(code_tokens):
    """The token check below checks something: the stylesheet's classes were found, for both
    colour schemes, and each was written and measured."""
    classes = code_tokens["classes"]
    assert set(classes) == {"light", "dark"}, f"pygments.css defines tokens for {sorted(classes)}"
    assert classes["light"] == classes["dark"], "light and dark mode define different tokens"
    # Keyword, name, string, number, comment, operator: what every code cell shows.
    assert {"k", "n", "s", "m", "c1", "o"} <= set(classes["light"]), classes["light"]
    for mode, styles in code_tokens["styles"].items():
        assert sorted(styles) == code_tokens["written"], f"{mode} mode: not every token measured"
        found = code_tokens["axe"][mode]
        judged = sum(
            len(result["nodes"])
            for result in found["violations"] + found["incomplete"] + found["passes"]
        )
        assert judged == len(code_tokens["written"]), (
            f"{mode} mode: axe judged the contrast of {judged} of the "
            f"{len(code_tokens['written'])} token spans"
        )


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_code_token_has_enough_contrast(code_tokens, mode):
    low = []
    for cls, style in code_tokens["styles"][mode].items():
        foreground, background = _shown(style)
        ratio = contrast(foreground, background)
        if ratio < AA_CONTRAST:
            low.append(
                f".highlight {'.' + cls.replace(' ', '.') if cls else '(plain text)'}: "
                f"{_hex(foreground)} on {_hex(background)}, {ratio:.2f}:1"
            )
    assert not low, (
        f"code tokens in {mode} mode below {AA_CONTRAST}:1 (written into a code block of "
        f"{code_tokens['page']}): {low}"
    )
    found = code_tokens["axe"][mode]
    flagged = [
        f"{node['target']}: {node['any'][0]['message'] if node['any'] else node['failureSummary']}"
        for result in found["violations"] + found["incomplete"]
        for node in result["nodes"]
    ]
    assert not flagged, f"axe on the code tokens in {mode} mode: {flagged}"


# The colours an open drawer shows beside the page it covers: its own background, the line on
# its open side, and the page's text and background, which the backdrop then covers.
_DRAWER_COLOURS = """([drawer, side]) => {
  const dialog = document.querySelector(drawer);
  const own = getComputedStyle(dialog), backdrop = getComputedStyle(dialog, '::backdrop');
  return {background: own.backgroundColor, edge: own[`border${side}Color`],
          edgeWidth: parseFloat(own[`border${side}Width`]),
          backdrop: backdrop.backgroundColor, opacity: parseFloat(backdrop.opacity),
          text: getComputedStyle(document.querySelector('.bd-article')).color,
          page: getComputedStyle(document.body).backgroundColor};
}"""
# WCAG 2.1's least contrast for what shows where a component is (1.4.11).
NON_TEXT_CONTRAST = 3


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("toggle, drawer, side, width", [
    ("primary-toggle", "#pst-primary-sidebar-modal", "Right", 390),
    ("secondary-toggle", "#pst-secondary-sidebar-modal", "Left", 820),
])
def test_an_open_drawer_stands_apart_from_the_page(reader, site_url, toggle, drawer, side, width, mode):
    # Where a drawer ends shows, by its background against the page the backdrop dims or by a
    # line on its edge. The "On this page" drawer had no backdrop of the themes' (the browser's
    # own dims by a tenth), and in dark mode neither drawer showed its edge.
    browser_page = reader(width, color_scheme=mode)
    browser_page.goto(f"{site_url}{chapter_pages()[0]}.html", wait_until="load")
    browser_page.locator(f".bd-header-article .{toggle}").click()
    browser_page.wait_for_function("(d) => document.querySelector(d).open", arg=drawer, timeout=5000)
    colours = browser_page.evaluate(_DRAWER_COLOURS, [drawer, side])
    red, green, blue, alpha = rgba(colours["backdrop"])
    backdrop = (red, green, blue, alpha * colours["opacity"])
    page = over(backdrop, rgba(colours["page"])[:3])
    edge, background = rgba(colours["edge"])[:3], rgba(colours["background"])[:3]
    apart = contrast(background, page)
    if colours["edgeWidth"] >= 1:
        apart = max(apart, min(contrast(edge, background), contrast(edge, page)))
    assert apart >= NON_TEXT_CONTRAST, (
        f"the drawer ({_hex(background)}, edge {colours['edgeWidth']} px {_hex(edge)}) shows at "
        f"{apart:.1f}:1 against the page behind it ({_hex(page)})")
    if mode == "dark":
        # There the drawer and the page share a background: the page's text beside the
        # drawer's must read as behind it, not as a column to go on reading.
        text = over(backdrop, over(rgba(colours["text"]), rgba(colours["page"])[:3]))
        behind = contrast(text, page)
        assert behind < NON_TEXT_CONTRAST, (
            f"beside the open drawer the page's text shows at {behind:.1f}:1, as if to be read")


@pytest.mark.parametrize("page", PAGES)
def test_code_left_out_of_audits_is_checked_tokens(audits, code_tokens, page):
    """What the page audits' contrast rule skipped is token spans the token check measured,
    showing exactly the colours it measured, at each audit's width and colour scheme."""
    unchecked = []
    for (width, mode), styles in audits(page).skipped.items():
        checked = code_tokens["styles"][mode]
        for style in styles:
            seen = checked.get(style["classes"])
            if style["tag"] != "span" or seen is None or _shown(style) != _shown(seen):
                unchecked.append(
                    f"{width} px {mode}: {style['count']}x <{style['tag']} "
                    f"class={style['classes']!r}> ({style['text']!r}) in "
                    f"{style['color']} on {style['backgrounds']}"
                )
    assert not unchecked, (
        f"{page}: the page audits skip these in code blocks ({CODE_TOKENS}), but the token "
        f"check did not measure them so: {unchecked}"
    )
