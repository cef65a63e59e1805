"""Sphinx extension: a page shows its colour scheme from its first paint, and has colours
with JavaScript off.

The theme's stylesheet has colours for the "light" and "dark" schemes, and the light ones for
a page that names no scheme. Its inline script sets the page's mode and scheme from what the
reader last picked, or else from html_context's default_mode. With default_mode "auto", every
page named the scheme "auto", which the theme's deferred script resolved after every other
script had loaded: on slow 3G a chapter showed for about a minute without the theme's colours
(no ring on the link the keyboard was on, a header the text showed through, a white page for a
reader who prefers dark, and text that jumped 108 px once the colours came), and with
JavaScript off, never (a report-only review). _config.yml now sets no default_mode, so a page
names no scheme until a script does; this small script in the head sets the scheme before the
first paint, as the theme's script will: the one the reader picked, else (mode "auto", also
where the reader picked none, for which the theme's script would log "Got invalid theme mode")
the one the reader's system prefers.
tests/browser/test_keyboard.py loads a chapter with the theme's script held back, and
test_without_javascript.py with JavaScript off.
"""

# Inline, so that no request stands between the page and its colours. In "auto" mode the
# scheme stored from the last visit may be another than the reader's system now asks for (one
# that turns dark at night): it is resolved afresh.
_RESOLVE = """(() => {
  const root = document.documentElement;
  const mode = ["light", "dark", "auto"].includes(root.dataset.mode) ? root.dataset.mode : "auto";
  root.dataset.mode = mode;
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  root.dataset.theme = mode === "auto" ? (dark ? "dark" : "light") : mode;
})();"""


def setup(app):
    app.add_js_file(None, body=_RESOLVE, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
