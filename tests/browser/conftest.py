"""Fixtures for the browser test of the built site (see test_site.py).

The site in ``_build/html`` (or ``$LESSON5_SITE_HTML``) is served on 127.0.0.1 by Python's
http.server and driven by headless Chromium through Playwright. Playwright's own browser
download does not work offline, so the test uses the system Chromium (``/usr/bin/chromium``,
installed by ``scripts/install-browser.sh``, or ``$LESSON5_CHROMIUM``).
"""

import functools
import http.server
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright
from site_pages import CHROMIUM, CHROMIUM_FLAGS, SCREENSHOTS, SITE


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        # One line per request would bury pytest's report.
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail(
            f"no built site at {SITE}: build it first with `bash scripts/build.sh` "
            "(or point LESSON5_SITE_HTML at a built html folder)"
        )
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
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
    window that wide would see it; every page it opened is closed after the test."""
    contexts = []

    def open_page(width, color_scheme="light", height=900):
        context = _offline(
            browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=color_scheme
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
      '.output.error, .output.traceback, .system-message, .problematic')) {
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
def visit(offline_context, site_url):
    """visit('book/intro') loads the page once per session, screenshots it into
    <build>/screenshots/ and returns a Visit with everything the tests check."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    visits = {}

    def load(docname):
        if docname in visits:
            return visits[docname]
        url = f"{site_url}{docname}.html"
        result = Visit(url=url)
        page = offline_context.new_page()
        page.on(
            "console",
            lambda msg: msg.type == "error"
            and result.console_errors.append(f"{msg.text} ({msg.location.get('url', '')})"),
        )
        page.on("pageerror", lambda exc: result.console_errors.append(f"uncaught: {exc}"))
        page.on(
            "requestfailed",
            lambda req: result.failed_requests.append(f"{req.url}: {req.failure}"),
        )
        page.on(
            "response",
            lambda resp: resp.status >= 400
            and result.failed_requests.append(f"{resp.url}: HTTP {resp.status}"),
        )
        before = len(offline_context.external_requests)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            result.failed_requests.append(f"{url}: HTTP {response and response.status}")
        found = page.evaluate(_VISIT_SCRIPT)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SCREENSHOTS / f"{docname.replace('/', '__')}.png"), full_page=True)
        page.close()
        result.images = found["images"]
        result.math_elements = found["mathElements"]
        result.math_rendered = found["mathRendered"]
        result.math_errors = found["mathErrors"]
        result.error_outputs = found["errorOutputs"]
        result.links = found["links"]
        result.external_requests = offline_context.external_requests[before:]
        visits[docname] = result
        return result

    return load
