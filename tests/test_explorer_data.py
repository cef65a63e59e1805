"""The optimizer explorer's data in the page that shows it (_ext/explorer_data.py), so that
the explorer draws on a site opened from disk too (tests/browser/test_explorer.py)."""

import json
import pickle
import re

import pytest
from sphinx_page import build_page, extension

explorer_data = extension("explorer_data")

PAGE = """# A page with an explorer

```{raw} html
<div class="optimizer-explorer"><p>placeholder</p></div>
```
"""


def test_the_built_page_carries_the_sites_data_just_before_the_explorer(tmp_path):
    html = build_page(tmp_path, "explorer_page", "explorer_data", files={"explorer_page.md": PAGE})
    found = re.search(r'<script type="application/json" class="optimizer-explorer-data">(.*?)</script>'
                      r'<div class="optimizer-explorer">', html, re.S)
    assert found, "no data script just before the explorer"
    assert json.loads(found.group(1)) == json.loads(explorer_data.DATA.read_text())
    # ...and Sphinx writes the page again when the data changes (scripts/build.sh reuses pages).
    with open(tmp_path / "html" / ".doctrees" / "environment.pickle", "rb") as fh:
        env = pickle.load(fh)
    assert str(explorer_data.DATA) in {str(path) for path in env.dependencies["book/explorer_page"]}


# HTML ends a script at "</script" in any case.
@pytest.mark.parametrize("end", ["</script>", "</SCRIPT>"])
def test_data_that_would_end_the_script_early_is_escaped(end):
    body = '<p>a</p><div class="optimizer-explorer"></div>'
    out = explorer_data.with_data(body, json.dumps({"note": f"{end}<b>"}))
    assert out.startswith("<p>a</p><script ")
    script = out[len("<p>a</p>"):out.index('<div class="optimizer-explorer">')]
    assert script.lower().count("</script") == 1 and script.endswith("</script>")
    assert json.loads(script[script.index(">") + 1:-len("</script>")]) == {"note": f"{end}<b>"}


def test_pages_without_an_explorer_are_left_as_they_are(tmp_path, monkeypatch):
    assert explorer_data.with_data("<p>no explorer</p>", "{}") == "<p>no explorer</p>"
    # Nor do they read the data: a missing file fails only the page that needs it.
    monkeypatch.setattr(explorer_data, "DATA", tmp_path / "missing.json")
    context = {"body": "<p>no explorer</p>"}
    explorer_data._embed(None, "book/intro", "page.html", context, None)
    assert context == {"body": "<p>no explorer</p>"}


@pytest.mark.parametrize("text, error", [('{"surfaces": [', ValueError), (None, FileNotFoundError)])
def test_a_broken_or_missing_data_file_fails_the_build_and_names_the_fix(tmp_path, monkeypatch, text, error):
    data = tmp_path / "trajectories.json"
    if text is not None:
        data.write_text(text)
    monkeypatch.setattr(explorer_data, "DATA", data)
    context = {"body": '<div class="optimizer-explorer"></div>'}
    fix = "python -m lesson5.explorer _static/explorer/trajectories.json"
    with pytest.raises(error, match=re.escape(fix)):
        explorer_data._embed(None, "book/04_optimizers", "page.html", context, None)
