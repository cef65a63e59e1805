"""Sphinx extension: search finds a hyphenated word however the reader spells it, a word
written -ise in the book when searched -ize and the other way round, and a Chinese word of two
characters.

The book writes "back-propagation", "cross-entropy" and "mini-batch"; Sphinx's index splits
them at the hyphen, so a reader searching "backpropagation" (the common spelling) found
nothing. The English index here also holds each hyphenated word written as one. The book
writes "regularization" but "initialisation": "regularisation" and "initialization" found
nothing. The index also holds each such word in the other spelling.

Chinese (book/overview_zh.md) puts no space between words, so the English splitter keeps each
run of characters between punctuation as one word. Sphinx's search matches a query of three
characters or more inside a word, but a shorter one only as a whole word: 交叉熵 found the
Chinese page, 模型 (model) and 冻结 (freeze) found nothing. The index also holds every pair of
neighbouring characters of each run of them.

Search ranks a page whose title holds the query's words above those that use them in a heading,
and quotes each result from its article's prose (search_results.js beside this module, Sphinx's
html_search_scorer).

tests/browser/test_search.py searches "backpropagation", "regularisation", "weight decay" and 模型.
"""

import re
from pathlib import Path

from sphinx.search.en import SearchEnglish

_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
# Runs of CJK ideographs (the unified block and extension A). A run of two is a word of the
# index already only where no Latin letter or digit touches it: the splitter keeps "MSE损失" whole.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
# A word spelled -ise or -ize (regularisation, initialize): Sphinx's stemmer keeps the two
# spellings apart (regularis, regular).
_ISE_IZE = re.compile(r"\b(\w{3,}i)([sz])(ation|ations|e|es|ed|ing|er|ers)\b", re.IGNORECASE)


class SearchEnglishCompounds(SearchEnglish):
    def split(self, input):
        joined = [word.replace("-", "") for word in _HYPHENATED.findall(input)]
        pairs = [run[i:i + 2] for run in _HAN_RUN.findall(input) for i in range(len(run) - 1)]
        spelled = [
            f"{start}{'z' if letter in 'sS' else 's'}{ending}"
            for start, letter, ending in _ISE_IZE.findall(input)
        ]
        return super().split(input) + joined + pairs + spelled


def _rank_titles(app, config):
    # Beside this module, and not in _static/, whose scripts every page loads.
    config.html_search_scorer = str(Path(__file__).with_name("search_results.js"))


def setup(app):
    app.add_search_language(SearchEnglishCompounds)
    app.connect("config-inited", _rank_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
