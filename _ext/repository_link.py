"""Sphinx extension: the repository's address as a link in the prose, {{ repository_link }}.

_config.yml names the repository once, `repository.url`, which Jupyter Book hands the theme as
`html_theme_options["repository_url"]`. The Colab buttons and each chapter's bootstrap cell take
it from there; so does the front page's "Running it yourself", through this substitution, so a
reader of the site learns what to clone without a second copy of the address to keep in step.
"""


# What Jupyter Book fills in when _config.yml names no repository: a page must not send a
# reader there to clone the course.
JUPYTER_BOOK_DEFAULT = "https://github.com/executablebooks/jupyter-book"


def _add_substitution(app, config):
    url = config.html_theme_options.get("repository_url")
    if not url or url.rstrip("/") == JUPYTER_BOOK_DEFAULT:
        raise ValueError("_config.yml names no repository.url (Jupyter Book would link its own): set it to "
                         "the course's repository, which the front page tells readers to clone")
    config.myst_substitutions = {
        **config.myst_substitutions,
        "repository_link": f"[{url.removeprefix('https://')}]({url})",
    }


def setup(app):
    app.connect("config-inited", _add_substitution)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
