"""The documents a reader follows from one to another: where one sends the reader to a section
by its name ("see "Data" below", "README's "In Colab""), a section of that name exists."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The documents that send a reader to a section by its name (data/README.md names none, so a
# case for it would check nothing).
DOCUMENTS = ["README.md", "CONTRIBUTING.md", "book/intro.md"]
# A quoted phrase from a capital letter, with nothing in it that code or a path would have.
QUOTED = re.compile(r'"([A-Z][^"`$<>{}@]{2,60})"')
# What makes a quoted phrase a pointer to a section, rather than a name, a title or a string:
# the words before it or after it.
POINTED_AT = re.compile(r"(?:see|read|as|in|README's|`[\w/]+\.md`,)\s*$")
POINTS_ON = re.compile(r'\s?(?:below|above|says|lists|names|in \[?`?[\w/]+\.md|and ")')
# The document a pointer names, where it names one (else it points within its own).
NAMED_AFTER = re.compile(r"\s?in \[?`?([\w/]+\.md)")
NAMED_BEFORE = re.compile(r"(?:(README)'s|`([\w/]+\.md)`,)\s*$")


def _words(text):
    return " ".join(text.split())


def _headings(document):
    text = (REPO / document).read_text(encoding="utf-8")
    return [_words(line.lstrip("#")) for line in text.splitlines() if re.match(r"#+ ", line)]


def _names(phrase, heading):
    # A pointer may leave out what a heading adds after its name: "PyTorch's CPU build" for
    # "PyTorch's CPU build (Linux without an NVIDIA GPU)", "Data" for "Data: online, or ...".
    return heading == phrase or heading.startswith((f"{phrase} (", f"{phrase}:"))


def section_pointers(document):
    """(phrase, document it points into) for each section `document` sends its reader to."""
    text = (REPO / document).read_text(encoding="utf-8")
    pointers = []
    for match in QUOTED.finditer(text):
        before, after = text[max(0, match.start() - 40):match.start()], text[match.end():]
        if not (POINTED_AT.search(before) or POINTS_ON.match(after)):
            continue
        named = NAMED_AFTER.match(after) or NAMED_BEFORE.search(before)
        target = document
        if named:
            name = next(group for group in named.groups() if group)
            target = "README.md" if name == "README" else name
        pointers.append((_words(match.group(1)), target))
    return pointers


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_section_a_document_points_to_exists(document):
    pointers = section_pointers(document)
    assert pointers, f"{document} points to no section by its name: drop it from DOCUMENTS"
    missing = [(phrase, target) for phrase, target in pointers
               if not any(_names(phrase, heading) for heading in _headings(target))]
    assert not missing, (
        f"{document} sends its reader to sections that are not headings there: {missing}; "
        "rename the pointer, or the heading, so that they agree")


def test_the_pointers_are_found_where_the_documents_make_them():
    # Each form of pointer the documents use, found, and pointing into the right document.
    assert ("Data", "README.md") in section_pointers("README.md")  # see "Data" below
    assert ("LibreOffice", "README.md") in section_pointers("README.md")  # "X" and "Y" below
    assert ("Releasing", "CONTRIBUTING.md") in section_pointers("README.md")  # "X" in [DOC]
    assert ("In Colab", "README.md") in section_pointers("book/intro.md")  # README's "X"
    assert ("What the two commands do", "README.md") in section_pointers("README.md")  # ("X" says)
    # A title the front page cites, nbval's name for a cell and a button's words are not pointers.
    contributing = [phrase for phrase, _ in section_pointers("CONTRIBUTING.md")]
    assert "Cell N" not in contributing and not any(p.startswith("Show the code") for p in contributing)
    assert not any(phrase.startswith("The MovieLens") for phrase, _ in section_pointers("book/intro.md"))
