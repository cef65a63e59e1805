"""What assistive technology reads from each page's markup: the page's language, and ids
that name one element each (_ext/page_language.py, _ext/unique_ids.py)."""

import re
from pathlib import Path

import pytest
from site_pages import BOOK_ROOT, toc_pages

PAGES = toc_pages()


def _declared_language(page):
    """The language a page's front matter declares (`language: zh-Hans`), else the book's."""
    source = next(Path(BOOK_ROOT).glob(f"{page}.*"))
    front = re.match(r"---\n(.*?)\n---\n", source.read_text(encoding="utf-8"), re.S)
    declared = front and re.search(r"^language:\s*(\S+)", front.group(1), re.M)
    return declared.group(1) if declared else "en"


def test_the_chinese_overview_declares_chinese():
    chinese = [page for page in PAGES if page.endswith("_zh")]
    assert chinese and all(_declared_language(page).startswith("zh") for page in chinese)


@pytest.mark.parametrize("page", PAGES)
def test_page_declares_its_language(shown, page):
    lang = shown(page).evaluate("() => document.documentElement.lang")
    assert lang == _declared_language(page), f"{page}: <html lang={lang!r}>"


@pytest.mark.parametrize("page", PAGES)
def test_ids_are_unique(shown, page):
    repeated = shown(page).evaluate(
        """() => {
             const counts = {};
             for (const el of document.querySelectorAll('[id]')) {
               counts[el.id] = (counts[el.id] || 0) + 1;
             }
             return Object.entries(counts).filter(([, n]) => n > 1);
           }"""
    )
    assert not repeated, f"{page}: ids used more than once: {repeated}"
