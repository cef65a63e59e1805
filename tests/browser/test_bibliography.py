"""A reader who follows a citation lands on an entry labelled as the citation reads:
"[Cybenko, 1989]" or "Cybenko [1989]" in a chapter leads to "[Cybenko, 1989]" in the
bibliography (_ext/bibliography_entries.py).
"""

import re

import pytest
from site_pages import toc_pages

PAGES = toc_pages()
BIBLIOGRAPHY = next(page for page in PAGES if page.endswith("bibliography"))


def _evaluate(context, url, script):
    page = context.new_page()
    page.goto(url, wait_until="load")
    found = page.evaluate(script)
    page.close()
    return found


@pytest.fixture(scope="module")
def entry_labels(offline_context, site_url):
    labels = _evaluate(
        offline_context,
        f"{site_url}{BIBLIOGRAPHY}.html",
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.citation'),
             (entry) => [entry.id, entry.querySelector('.label').innerText]))""",
    )
    assert labels, f"{BIBLIOGRAPHY} lists no entries"
    return {key: label.strip("[]") for key, label in labels.items()}


@pytest.fixture(scope="module")
def citations(offline_context, site_url):
    name = BIBLIOGRAPHY.rsplit("/", 1)[-1]
    found = {}
    for page in PAGES:
        found[page] = _evaluate(
            offline_context,
            f"{site_url}{page}.html",
            f"""() => Array.from(document.querySelectorAll('a[href*="{name}.html#"]'),
                 (a) => [a.hash.slice(1), a.innerText,
                         a.closest('.bibtex-citation')?.innerText ?? ''])""",
        )
    assert sum(map(len, found.values())) > 10, f"few citations found: {found}"
    return found


def _as_read(link_text, citation_text):
    """What the reader reads as the citation: the link's text, or for a textual citation,
    "Koren et al. [2009]" with only the year linked, author and year together."""
    textual = re.fullmatch(r"(.+) \[(\d{4}[a-z]?)\]", citation_text.strip())
    if textual and textual.group(2) == link_text:
        return f"{textual.group(1)}, {link_text}"
    return link_text


@pytest.mark.parametrize("page", PAGES)
def test_citations_match_their_entries_labels(entry_labels, citations, page):
    wrong = [
        f"{_as_read(text, citation)!r} leads to {entry_labels.get(target)!r}"
        for target, text, citation in citations[page]
        if entry_labels.get(target) != _as_read(text, citation)
    ]
    assert not wrong, f"{page}: citations whose bibliography entry is labelled otherwise: {wrong}"
