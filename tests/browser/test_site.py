"""The built site as a reader's browser sees it: every page in _toc.yml loads cleanly and
offline, its figures and math render, its links resolve, search works, and each chapter
offers its notebook for download.

Run after building the site: `python -m pytest tests/browser -q` (scripts/test.sh does).
Each test is parametrized by page, so a failure names the page and what went wrong.
"""

import json
import re
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urldefrag, urlparse
from urllib.request import urlopen

import pytest
import yaml
from site_pages import BOOK_ROOT, SITE, chapter_pages, source_markdown, toc_pages, writes_math

PAGES = toc_pages()
CHAPTERS = chapter_pages()


def _same_site(url, site_url):
    return url.startswith(site_url)


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_console_errors(visit, page, site_url):
    seen = visit(page)
    failed = [r for r in seen.failed_requests if _same_site(r, site_url)]
    assert not seen.console_errors, f"{page}: console errors: {seen.console_errors}"
    assert not failed, f"{page}: requests within the site failed: {failed}"


@pytest.mark.parametrize("width", [390, 320])
@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_console_errors_on_a_phone(shown, page, width, site_url):
    # The loads at a phone's width recorded their errors too, and nothing read them: a script
    # that failed only on a narrow screen (a sidebar or a cue drawn at that width) passed.
    shown(page, width)
    seen = shown.loads[(page, width)]
    failed = [r for r in seen.failed_requests if _same_site(r, site_url)]
    assert not seen.console_errors, f"{page} at {width} px: console errors: {seen.console_errors}"
    assert not failed, f"{page} at {width} px: requests within the site failed: {failed}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_from_outside(visit, page):
    seen = visit(page)
    assert not seen.external_requests, (
        f"{page}: requests left 127.0.0.1 (the site must work offline): {seen.external_requests}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loaded(visit, page):
    broken = [img["src"] for img in visit(page).images if img["width"] == 0]
    assert not broken, f"{page}: images with no natural size (not loaded): {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_rendered(visit, page):
    seen = visit(page)
    # A page that lost its formulas (raw $...$ left in the text) has none to leave unrendered.
    if writes_math(page):
        assert seen.math_elements, f"{page}: its source writes formulas, the page has none"
    assert seen.math_rendered == seen.math_elements, (
        f"{page}: MathJax rendered {seen.math_rendered} of {seen.math_elements} math elements"
    )
    assert not seen.math_errors, f"{page}: {seen.math_errors} formulas render as TeX errors"


@pytest.mark.parametrize("page", PAGES)
def test_no_error_output(visit, page):
    errors = visit(page).error_outputs
    assert not errors, f"{page}: error output or traceback on the page: {errors}"


# What a glued value must never read as in the prose: a Python or PyTorch repr (quotes, a
# tensor, a list, a bool), a number that is none, or a float's binary noise (0.30000000000000004).
_NOT_PROSE = re.compile(
    r"^['\"\[]|['\"\]]$|tensor\(|array\(|dtype|\b(?:nan|inf|None|True|False)\b|\d\.\d{9,}"
)


@pytest.mark.parametrize("page", PAGES)
def test_every_glued_value_is_on_the_page_and_reads_as_prose(shown, page):
    # The build fails on a name no cell glued; this checks what the reader sees in its place.
    written = len(re.findall(r"\{glue:?\}`", source_markdown(page)))
    shown_texts = shown(page).evaluate(
        "() => Array.from(document.querySelectorAll('article span.output.text_plain'), s => s.textContent)"
    )
    assert len(shown_texts) == written, f"{page}: {written} {{glue:}} roles, {len(shown_texts)} values shown"
    odd = [text for text in shown_texts if _NOT_PROSE.search(text.strip())]
    assert not odd, f"{page}: glued values that read as code, not prose: {odd}"


@pytest.mark.parametrize("page", PAGES)
def test_internal_links_resolve(visit, page, site_url):
    broken = []
    for href in sorted(set(visit(page).links)):
        if not _same_site(href, site_url):
            continue
        target, fragment = urldefrag(href)
        path = urlparse(target).path
        file = SITE / path.lstrip("/")
        if path.endswith("/"):
            file = file / "index.html"
        if not file.is_file():
            broken.append(f"{href} (no file {file.relative_to(SITE)})")
            continue
        if fragment and file.suffix == ".html" and not _has_anchor(file, fragment):
            broken.append(f"{href} (no id '{fragment}' in {file.relative_to(SITE)})")
    assert not broken, f"{page}: internal links that do not resolve: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_external_links_are_whole_addresses(visit, page, site_url):
    # pybtex, which reads references.bib, takes the ~ of an address written in \url{} for a
    # non-breaking space: the link to the RMSProp slides led to "cs.toronto.edu/%C2%A0tijmen/".
    # The bibliography gives every address in its url field, which is kept as written.
    spaced = sorted({href for href in visit(page).links
                     if not _same_site(href, site_url) and re.search(r"%C2%A0|%20|\s", href)})
    assert not spaced, f"{page}: external links with a space in their address: {spaced}"


def _has_anchor(file, fragment):
    html = file.read_text(encoding="utf-8")
    return f'id="{fragment}"' in html or f'name="{fragment}"' in html


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_offers_its_notebook(shown, page):
    links = shown(page).locator("a.btn-download-source-button").evaluate_all(
        "links => links.map(a => a.href)"
    )
    notebooks = [href for href in links if href.endswith(".ipynb")]
    assert notebooks, f"{page}: no 'download .ipynb' button (download links: {links})"
    try:
        with urlopen(notebooks[0]) as response:
            served = json.loads(response.read())
    except HTTPError as error:
        pytest.fail(f"{page}: its download link {notebooks[0]} returned HTTP {error.code}")
    source = json.loads(Path(BOOK_ROOT, f"{page}.ipynb").read_text(encoding="utf-8"))
    assert [cell["source"] for cell in served["cells"]] == [
        cell["source"] for cell in source["cells"]
    ], f"{page}: the downloaded notebook {notebooks[0]} is not the chapter's notebook"


def _launch_settings():
    config = yaml.safe_load(Path(BOOK_ROOT, "_config.yml").read_text(encoding="utf-8"))
    return config["repository"], config["launch_buttons"]


@pytest.mark.parametrize("page", CHAPTERS)
def test_launch_links_open_this_chapter_in_the_configured_repository(visit, page):
    """The Colab button opens this chapter's .ipynb in the repository and release that
    _config.yml names (the bootstrap cell installs the package from the same place)."""
    repository, buttons = _launch_settings()
    path = urlparse(repository["url"]).path.strip("/")
    book = repository.get("path_to_book", "").strip("/")
    notebook = f"{book}/{page}.ipynb" if book else f"{page}.ipynb"
    expected = f"{buttons['colab_url'].rstrip('/')}/github/{path}/blob/{repository['branch']}/{notebook}"
    seen = visit(page)
    launch = [href for href in seen.links if "colab.research.google.com" in href or "mybinder" in href]
    assert launch == [expected], f"{page}: launch links {launch}, expected only {expected}"
