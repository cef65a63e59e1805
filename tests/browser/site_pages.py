"""Where the built site, its table of contents and the browser are, and which pages to test.

LESSON5_BOOK_ROOT names the book's source folder (default: this repository),
LESSON5_SITE_HTML the built html folder to test (default: <book root>/_build/html),
LESSON5_CHROMIUM the browser (default: Debian's /usr/bin/chromium), and LESSON5_SCREENSHOTS=1
asks for a full-page screenshot of every page, for people to look at.
"""

import functools
import json
import os
import re
from pathlib import Path

import pytest

from scripts.toc import chapters, pages

REPO = Path(__file__).resolve().parents[2]
BOOK_ROOT = Path(os.environ.get("LESSON5_BOOK_ROOT", REPO))
SITE = Path(os.environ.get("LESSON5_SITE_HTML", BOOK_ROOT / "_build" / "html"))
SCREENSHOTS = SITE.parent / "screenshots"
# Off by default: a long chapter's full-page screenshot takes seconds, and no test reads it.
WANT_SCREENSHOTS = os.environ.get("LESSON5_SCREENSHOTS") == "1"
# Every page's axe-core results, best-practice rules included, for people to read.
ACCESSIBILITY_REPORTS = SITE.parent / "accessibility"
# axe-core from npm (tests/browser/package.json), installed by scripts/install-browser.sh.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("LESSON5_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def toc_pages():
    """Every page of the book being tested, in reading order, as docnames ('book/01_data')."""
    return pages(BOOK_ROOT)


def chapter_pages():
    """The pages whose source is a notebook, as docnames: these offer the .ipynb download."""
    return [path.relative_to(BOOK_ROOT).with_suffix("").as_posix() for path in chapters(BOOK_ROOT)]


def _source(page):
    notebook = BOOK_ROOT / f"{page}.ipynb"
    return notebook if notebook.is_file() else BOOK_ROOT / f"{page}.md"


# Several per-page checks read the same notebook; once per test session is enough.
@functools.cache
def _cells(notebook):
    return json.loads(notebook.read_text())["cells"]


def source_markdown(page):
    """The prose `page` is written in: a notebook's markdown cells, or its .md file."""
    source = _source(page)
    if source.suffix == ".md":
        return source.read_text()
    cells = _cells(source)
    return "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")


def stored_images(page):
    """How many images the stored outputs of `page` hold (none for a page without a notebook):
    what the page must show, one figure each."""
    source = _source(page)
    if source.suffix != ".ipynb":
        return 0
    return sum(
        any(kind.startswith("image/") for kind in output.get("data", {}))
        for cell in _cells(source) if cell["cell_type"] == "code" for output in cell.get("outputs", [])
    )


def cited_keys(page):
    """The bibliography keys `page` cites, one per {cite:p} or {cite:t} key, in order."""
    return [key.strip() for role in re.findall(r"\{cite:[pt]\}`([^`]*)`", source_markdown(page))
            for key in role.split(",")]


def writes_math(page):
    """Whether `page`'s prose holds a formula ($...$ or $$...$$) outside inline code."""
    return bool(re.search(r"\$[^$\s]", re.sub(r"`[^`\n]*`", "", source_markdown(page))))


def accessible_tree(browser_page):
    """Each node of Chromium's accessibility tree for the page (what screen readers are given),
    as (role, name)."""
    session = browser_page.context.new_cdp_session(browser_page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [((node.get("role") or {}).get("value"), (node.get("name") or {}).get("value") or "")
            for node in nodes if not node.get("ignored")]


# The width of the first opening quotation mark in the element `selector` finds (by default the
# article), and of the character after it (tests/browser/test_page_semantics.py, test_pdf.py).
QUOTE_WIDTHS = """(selector) => {
  const walk = document.createTreeWalker(document.querySelector(selector || 'article'), NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const at = walk.currentNode.data.indexOf('\u201c');
    if (at < 0 || at + 1 >= walk.currentNode.data.length) { continue; }
    const width = (start) => {
      const range = document.createRange();
      range.setStart(walk.currentNode, start);
      range.setEnd(walk.currentNode, start + 1);
      return range.getBoundingClientRect().width;
    };
    return [width(at), width(at + 1)];
  }
  return null;
}"""


def settle(browser_page):
    """Waits for a loaded page's formulas to be typeset and its fonts loaded: both change the
    layout after the load event (MathJax's fonts widen the formulas)."""
    browser_page.evaluate("() => window.MathJax?.startup?.promise")
    # The fonts by name, not Playwright's "networkidle": on a busy machine that never came
    # for the one-page book, with no request open (scripts/print_pdf.py).
    browser_page.evaluate("() => document.fonts.ready.then(() => true)")


# Colours as the browser computes them, and WCAG 2.1's contrast between them: the accessibility
# and keyboard checks measure with these.


def rgba(css):
    """A computed CSS colour, 'rgb(...)' or 'rgba(...)', as (red, green, blue, alpha)."""
    found = re.fullmatch(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)", css)
    if not found:
        pytest.fail(f"cannot read the computed colour {css!r}")
    red, green, blue, alpha = found.groups()
    return float(red), float(green), float(blue), 1.0 if alpha is None else float(alpha)


def over(colour, below):
    """`colour` (rgba) painted over the opaque `below` (rgb)."""
    alpha = colour[3]
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], below))


def painted(backgrounds):
    """The opaque colour the computed `backgrounds` show, nearest first: each painted over the
    one below it, the last over the browser's white canvas."""
    colour = (255.0, 255.0, 255.0)
    for css in reversed(backgrounds):
        colour = over(rgba(css), colour)
    return colour


def _luminance(rgb):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = map(linear, rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground, background):
    """WCAG 2.1's contrast ratio of two opaque colours."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
