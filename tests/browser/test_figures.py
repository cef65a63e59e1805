"""Every figure a chapter draws tells a reader who cannot see it what it shows, and is
captioned and numbered for those who can.

A chapter gives a figure its words in the cell's metadata, which myst-nb reads:
``"mystnb": {"image": {"alt": "..."}, "figure": {"caption": "...", "name": "fig-..."}}``
(a ``name`` only when the cell draws one figure: names are labels and must be unique).
Without them myst-nb writes the image's file path as its alt text.
"""

import functools
import re

import pytest
from site_pages import chapter_pages, stored_images

CHAPTERS = chapter_pages()

_FIGURES = """
() => Array.from(document.querySelectorAll('.cell_output img'), (img) => {
  const figure = img.closest('figure');
  const caption = figure && figure.querySelector('figcaption');
  return {
    src: img.getAttribute('src'),
    alt: img.getAttribute('alt') || '',
    caption: caption ? caption.innerText.trim() : '',
  };
})
"""


def _looks_like_a_path(alt):
    return bool(re.search(r"[/\\\\]|\.(png|jpe?g|svg)\b|\b[0-9a-f]{16,}\b", alt))


@pytest.fixture(scope="session")
def figures(shown):
    """figures(chapter): each figure's image source, alt text and caption."""

    @functools.cache
    def read(chapter):
        return shown(chapter).evaluate(_FIGURES)

    return read


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_has_alt_text_that_says_what_it_shows(figures, chapter):
    bad = [
        f"{figure['src']}: alt={figure['alt']!r}"
        for figure in figures(chapter)
        if len(figure["alt"].split()) < 4 or _looks_like_a_path(figure["alt"])
    ]
    assert not bad, f"{chapter}: figures without alt text in words: {bad}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_figure_has_a_numbered_caption(figures, chapter):
    bad = [figure["src"] for figure in figures(chapter) if not figure["caption"]]
    assert not bad, f"{chapter}: figures without a caption: {bad}"
    unnumbered = [
        figure["caption"][:40]
        for figure in figures(chapter)
        if not re.match(r"(Fig\.|Figure) \d+", figure["caption"])
    ]
    assert not unnumbered, f"{chapter}: captions without a figure number: {unnumbered}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_shows_every_figure_its_notebook_stored(figures, chapter):
    """Guards the checks above against passing on a page where no figure was found."""
    shown, stored = len(figures(chapter)), stored_images(chapter)
    assert shown == stored, f"{chapter} shows {shown} figures; its notebook stored {stored}"
