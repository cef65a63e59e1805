"""The front page's link to the repository (_ext/repository_link.py, book/intro.md), made from
_config.yml's repository.url, the address the Colab buttons and bootstrap cells use."""

import types

import pytest
from sphinx_page import CONFIG, REPO, extension

repository_link = extension("repository_link")


def _sphinx_config(url):
    options = {} if url is None else {"repository_url": url}
    return types.SimpleNamespace(html_theme_options=options, myst_substitutions={"build_cores": "2"})


def test_the_front_page_links_the_configured_repository():
    url = CONFIG["repository"]["url"]
    config = _sphinx_config(url)
    repository_link._add_substitution(None, config)
    assert config.myst_substitutions == {
        "build_cores": "2",
        "repository_link": f"[{url.removeprefix('https://')}]({url})",
    }
    assert "{{ repository_link }}" in (REPO / "book" / "intro.md").read_text()


DEFAULT = repository_link.JUPYTER_BOOK_DEFAULT


@pytest.mark.parametrize("url", [None, "", DEFAULT, DEFAULT + "/"])
def test_a_config_without_the_courses_repository_is_refused(url):
    # Jupyter Book fills in its own repository where _config.yml names none.
    with pytest.raises(ValueError, match="repository.url"):
        repository_link._add_substitution(None, _sphinx_config(url))
