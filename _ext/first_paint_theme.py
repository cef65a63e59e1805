"""Sphinx extension: a page shows its colour scheme from its first paint.

The theme writes <html data-theme="auto">, and its inline script keeps "auto" for a reader who
has never picked a scheme. Its stylesheet has colours only for "light" and "dark": "auto" is
resolved by its deferred script, which runs after every other script has loaded. On a slow
connection a chapter showed for a minute without the theme's colours: no ring on the link
the keyboard was on (the ring's colour is one of them), a header the text showed through, a
white page for a reader who prefers dark, and text that jumped 108 px once the colours came
(slow 3G, in a report-only review). A small script in the head resolves "auto" as the theme's
will, from the reader's preferred scheme, before the page is first painted.
tests/browser/test_keyboard.py loads a chapter with the theme's script held back.
"""

# Inline, so that no request stands between the page and its colours.
_RESOLVE = """(() => {
  const root = document.documentElement;
  if (root.dataset.theme === "auto") {
    root.dataset.theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
})();"""


def setup(app):
    app.add_js_file(None, body=_RESOLVE, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
