"""A reader who follows a citation lands on an entry labelled as the citation reads:
"[Cybenko, 1989]" or "Cybenko [1989]" in a chapter leads to "[Cybenko, 1989]" in the
bibliography (_ext/bibliography_entries.py).
"""

import functools
import re

import pytest
from site_pages import cited_keys, toc_pages

PAGES = toc_pages()
BIBLIOGRAPHY = next(page for page in PAGES if page.endswith("bibliography"))


@pytest.fixture(scope="session")
def entry_labels(offline_context, site_url):
    # A page of its own: `shown` is showing the page whose citations are being checked.
    page = offline_context.new_page()
    page.goto(f"{site_url}{BIBLIOGRAPHY}.html", wait_until="load")
    labels = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('.citation'),
             (entry) => [entry.id, entry.querySelector('.label').innerText]))"""
    )
    page.close()
    assert labels, f"{BIBLIOGRAPHY} lists no entries"
    return {key: label.strip("[]") for key, label in labels.items()}


@pytest.fixture(scope="session")
def citations(shown):
    """citations(page): each link into the bibliography, as [entry id, link text, the
    citation's text]."""
    name = BIBLIOGRAPHY.rsplit("/", 1)[-1]

    @functools.cache
    def read(page):
        return shown(page).evaluate(
            f"""() => Array.from(document.querySelectorAll('a[href*="{name}.html#"]'),
                 (a) => [a.hash.slice(1), a.innerText,
                         a.closest('.bibtex-citation')?.innerText ?? ''])"""
        )

    return read


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
        for target, text, citation in citations(page)
        if entry_labels.get(target) != _as_read(text, citation)
    ]
    assert not wrong, f"{page}: citations whose bibliography entry is labelled otherwise: {wrong}"


@pytest.mark.parametrize("page", PAGES)
def test_every_citation_in_the_source_is_a_link_on_the_page(citations, page):
    """Guards the check above against passing on a page where no citation was found."""
    linked = sorted(entry.removeprefix("cite-") for entry, _, _ in citations(page))
    assert linked == sorted(cited_keys(page)), f"{page}: links to {linked}, cites {sorted(cited_keys(page))}"
