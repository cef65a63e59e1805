"""Sphinx extension: search finds a hyphenated word however the reader spells it.

The book writes "back-propagation", "cross-entropy" and "mini-batch"; Sphinx's index splits
them at the hyphen, so a reader searching "backpropagation" (the common spelling) found
nothing. The English index here also holds each hyphenated word written as one.
tests/browser/test_search.py searches "backpropagation".
"""

import re

from sphinx.search.en import SearchEnglish

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")


class SearchEnglishCompounds(SearchEnglish):
    def split(self, input):
        joined = [word.replace("-", "") for word in _HYPHENATED.findall(input)]
        return super().split(input) + joined


def setup(app):
    app.add_search_language(SearchEnglishCompounds)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
