#!/usr/bin/env bash
# The site's Sphinx build as every script runs it (build.sh, pdf.sh, test.sh): Jupyter Book with
# the builder named (html, or singlehtml for the PDF), from the execution cache, with every
# Sphinx warning reported and then failing the build.
#   bash scripts/sphinx_build.sh html
# Sphinx keeps what it read even when a warning fails the build, and does not read an unchanged
# page again, so the next run would pass with the broken page in place: a failed build forgets
# what it read. Run it with scripts/env.sh's environment.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
case "${1:-}" in
  html | singlehtml) ;;
  *) echo "usage: bash scripts/sphinx_build.sh html|singlehtml (the builder; got '${1:-}')" >&2; exit 2 ;;
esac
# Before anything is removed below, so that a shell without the environment loses nothing.
if ! command -v jupyter-book >/dev/null; then
  echo "sphinx_build: no jupyter-book on the PATH: run  . scripts/env.sh  first (bash scripts/build.sh does all of it)" >&2
  exit 2
fi
# A build rewrites the site that a passing test.sh stamped for publish.sh (test.sh stamps it
# after its builds): from here on it is not the tested one.
rm -f _build/tested
# Nor does it read a page again when the project's own Sphinx extensions (_ext/, their scripts
# too) changed, which write much of what it makes of a page (a new way of indexing words for
# search left the unchanged pages as they were indexed before, and a new search script was not
# written out): after a change there, it forgets what it read.
# The extensions' fingerprint (scripts/inputs.py) is kept with what Sphinx read, and goes with it;
# and with the site's pages: the one-page book for the PDF (pdf.sh) shares what Sphinx read, and
# writes its one page whole each time, but the site writes only the pages Sphinx read again, so
# after the PDF's build has read a change first, the site's build reads every page once more.
read=_build/.doctrees/lesson5-ext.sha256
written=_build/.lesson5-ext-html.sha256
extensions=$(python scripts/inputs.py extensions)
if [ "$(cat "$read" 2>/dev/null)" != "$extensions" ] ||
  { [ "$1" = html ] && [ "$(cat "$written" 2>/dev/null)" != "$extensions" ]; }; then
  rm -rf _build/.doctrees
fi
if ! jupyter-book build . --builder "$1" -n -W --keep-going; then
  rm -rf _build/.doctrees
  exit 1
fi
mkdir -p _build/.doctrees
echo "$extensions" >"$read"
if [ "$1" = html ]; then
  echo "$extensions" >"$written"
fi
