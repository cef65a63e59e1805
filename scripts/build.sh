#!/usr/bin/env bash
# Builds the site into _build/html, executing every chapter that changed since the last
# build (myst-nb's execution cache), and every chapter after a change to what their outputs
# depend on besides their code (scripts/inputs.py), as many at once as the CPUs and free
# memory allow (scripts/execute.py). Any cell error or Sphinx warning fails the build.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# LESSON5_PROGRESS is left as it is, so that a person watching sees the downloads' progress
# below: scripts/execute.py and the build's extension (_ext/stored_outputs.py) turn the
# chapters' progress bars off, since stored outputs must not contain them.
# The PDF of the whole book is printed by headless Chromium after the site is built. Where
# Chromium (or a Chinese font) is missing, the front page says how to get the PDF instead of
# linking it (_ext/pdf_link.py), so the site has no link to a file that is not there.
if bash scripts/install-browser.sh --pdf; then
  export LESSON5_NO_PDF=0
else
  echo "build: the site will have no PDF (printing it needs what is named above)" >&2
  export LESSON5_NO_PDF=1
  # A PDF from an earlier build would be published with a site that says it has none. The
  # site left there still links it until the build below rewrites it, so it is no longer the
  # tested one that publish.sh would push (sphinx_build.sh says the same when it starts).
  rm -f _build/tested _build/html/lesson5-executable.pdf
fi
# Every dataset fetched and verified once, before the chapters run side by side: each would
# otherwise download the same files at once, and a missing one is named here, in one message.
python -m lesson5.download --check
# Executes the chapters whose code or inputs changed (see above), one per core as memory allows,
# into the cache the build reads.
python scripts/execute.py
bash scripts/sphinx_build.sh html
if [ "$LESSON5_NO_PDF" = 0 ]; then
  bash scripts/pdf.sh
else
  echo "build: no PDF of the book this time; scripts/install-browser.sh --pdf names what it needs" >&2
fi
echo "build: open _build/html/index.html"
