"""Fixtures for the browser test of the built site (see test_site.py).

The site in ``_build/html`` (or ``$LESSON5_SITE_HTML``) is served on 127.0.0.1 by Python's
http.server and driven by headless Chromium through Playwright. Playwright's own browser
download does not work offline, so the test uses the system Chromium (``/usr/bin/chromium``,
installed by ``scripts/install-browser.sh``, or ``$LESSON5_CHROMIUM``).

Loading a chapter costs seconds, so the checks that only read a page share one load of it:
``shown(page, width)`` keeps the page open while every test about it runs, and the tests are
run page by page (pytest_collection_modifyitems) so that each page is loaded once per width.
A test that changes what a page shows (clicks, sliders, navigation) opens its own with
``reader``.
"""

import contextlib
import functools
import http.server
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright
from site_pages import CHROMIUM, CHROMIUM_FLAGS, SCREENSHOTS, SITE, WANT_SCREENSHOTS, settle, toc_pages

BROWSER_TESTS = Path(__file__).resolve().parent


@dataclass
class Visit:
    """What one page did in the browser."""

    url: str
    console_errors: list = field(default_factory=list)
    external_requests: list = field(default_factory=list)
    failed_requests: list = field(default_factory=list)
    images: list = field(default_factory=list)
    math_elements: int = 0
    math_rendered: int = 0
    math_errors: int = 0
    error_outputs: list = field(default_factory=list)
    links: list = field(default_factory=list)


def pytest_configure(config):
    """Makes SIGTERM (how scripts/test.sh stops a background run) end the run like Ctrl-C: pytest
    then tears the fixtures down, and those stop what they started in sessions of their own
    (JupyterLab's server), which stopping this process's group would not reach."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def pytest_collection_modifyitems(items):
    """Runs the browser tests page by page, each page's desktop checks before its phone
    ones, so that `shown` loads each page once per width. Tests about no page in particular
    keep their order, after the others."""
    pages = toc_pages()

    def order(item):
        if BROWSER_TESTS not in Path(item.path).parents:
            return (-1, 0)
        params = item.callspec.params if hasattr(item, "callspec") else {}
        page = params.get("page", params.get("chapter"))
        return (pages.index(page) if page in pages else len(pages), -params.get("width", 1280))

    items.sort(key=order)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        # One line per request would bury pytest's report.
        pass


class _Server(http.server.ThreadingHTTPServer):
    # Chromium opens several connections at once, two browsers load pages beside each other,
    # and HTTP/1.0 takes a connection per file: past the default 5 waiting, Linux drops a
    # connection's opening packet and the browser tries again a second or more later.
    request_queue_size = 64


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no built site at {SITE}: build it first with `bash scripts/build.sh` "
            "(or point LESSON5_SITE_HTML at a built html folder)"
        )
    with _serving(SITE) as url:
        yield url


@contextlib.contextmanager
def _serving(directory):
    """Serves the files in `directory` on 127.0.0.1, at a free port, while the block runs;
    gives the root URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `bash scripts/install-browser.sh` as root "
            "(it runs `apt-get install -y chromium`), or set LESSON5_CHROMIUM to a "
            "Chromium or Chrome binary"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _offline(context):
    """Records and aborts every request that would leave the site, so a page that depends
    on the network shows it, and nothing is fetched."""
    context.external_requests = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            context.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture(scope="session")
def offline_context(browser, site_url):
    """The desktop reader: 1280 px wide, offline (see _offline)."""
    context = _offline(browser.new_context(viewport={"width": 1280, "height": 900}))
    yield context
    context.close()


@pytest.fixture
def reader(browser, site_url):
    """reader(width, color_scheme="light") opens a fresh offline page as a reader with a
    window that wide would see it (on a touch screen with touch=True, with JavaScript off with
    javascript=False); every page it opened is closed after the test."""
    contexts = []

    def open_page(width, color_scheme="light", height=900, touch=False, javascript=True):
        context = _offline(
            browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=color_scheme,
                has_touch=touch, java_script_enabled=javascript,
            )
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


_VISIT_SCRIPT = """
async () => {
  const settle = (img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener('load', resolve); img.addEventListener('error', resolve);
    setTimeout(resolve, 10000);
  });
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all(Array.from(document.images, settle));
  // myst writes $...$ and $$...$$ as span.math and div.math; MathJax puts an
  // mjx-container inside each one it typesets.
  const mathElements = document.querySelectorAll('span.math, div.math');
  if (mathElements.length && window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const text = document.body.innerText;
  const errorOutputs = [];
  for (const el of document.querySelectorAll(
      '.output.error, .output.traceback, .output.stderr, .system-message, .problematic')) {
    errorOutputs.push(el.className + ': ' + el.innerText.slice(0, 200));
  }
  const at = text.indexOf('Traceback (most recent call last)');
  if (at >= 0) { errorOutputs.push('text: ' + text.slice(Math.max(0, at - 100), at + 200)); }
  return {
    images: Array.from(document.images, (img) => ({src: img.currentSrc || img.src,
                                                  width: img.naturalWidth})),
    mathElements: mathElements.length,
    mathRendered: Array.from(mathElements).filter((el) => el.querySelector('mjx-container')).length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    errorOutputs: errorOutputs,
    links: Array.from(document.querySelectorAll('a[href]'), (a) => a.href),
  };
}
"""


@pytest.fixture(scope="session")
def shown(browser, site_url):
    """shown(page, width=1280) returns an open browser page (Playwright's Page) showing
    the site's page `page` ('book/intro') to an offline reader with a window `width` px wide,
    in light mode, its formulas typeset and its fonts loaded. It stays open until another page is asked for at
    that width; the tests must leave it as they found it (reading it, tabbing through it and
    auditing it do). `shown.loads[(page, width)]` is what its loading did (a Visit).
    """
    open_pages = {}

    def show(page, width=1280):
        current = open_pages.get(width)
        if current and current[0] == page:
            return current[1]
        if current:
            current[1].context.close()
        browser_page, show.loads[(page, width)] = _open(browser, f"{site_url}{page}.html", width)
        open_pages[width] = (page, browser_page)
        return browser_page

    show.loads = {}
    yield show
    for _, browser_page in open_pages.values():
        browser_page.context.close()


def _open(browser, url, width):
    """A new page showing `url` to an offline reader with a window `width` px wide, in light
    mode, its formulas typeset: the page and what its loading did (a Visit)."""
    context = _offline(
        browser.new_context(viewport={"width": width, "height": 900}, color_scheme="light")
    )
    browser_page = context.new_page()
    loaded = _load(browser_page, url)
    loaded.external_requests = context.external_requests
    return browser_page, loaded


def _load(browser_page, url):
    """Opens `url`, recording its console errors and failed requests, and waits for its
    formulas to be typeset and its fonts loaded."""
    result = Visit(url=url)
    browser_page.on(
        "console",
        lambda msg: msg.type == "error"
        and result.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})"),
    )
    browser_page.on("pageerror", lambda exc: result.console_errors.append(f"uncaught: {exc}"))
    browser_page.on(
        "requestfailed",
        lambda req: result.failed_requests.append(f"{req.url}: {req.failure}"),
    )
    browser_page.on(
        "response",
        lambda resp: resp.status >= 400
        and result.failed_requests.append(f"{resp.url}: HTTP {resp.status}"),
    )
    response = browser_page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        result.failed_requests.append(f"{url}: HTTP {response and response.status}")
    settle(browser_page)
    return result


@pytest.fixture(scope="session")
def visit(shown):
    """visit('book/intro') returns a Visit with everything test_site.py checks about the
    page on a desktop, each page once; with LESSON5_SCREENSHOTS=1 it also screenshots the
    page into <build>/screenshots/."""

    @functools.cache
    def look(docname):
        browser_page = shown(docname)
        found = browser_page.evaluate(_VISIT_SCRIPT)
        if WANT_SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            browser_page.screenshot(
                path=str(SCREENSHOTS / f"{docname.replace('/', '__')}.png"), full_page=True
            )
        result = shown.loads[(docname, 1280)]
        result.images = found["images"]
        result.math_elements = found["mathElements"]
        result.math_rendered = found["mathRendered"]
        result.math_errors = found["mathErrors"]
        result.error_outputs = found["errorOutputs"]
        result.links = found["links"]
        result.external_requests = list(result.external_requests)
        return result

    return look
