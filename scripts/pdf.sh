#!/usr/bin/env bash
# Builds the whole book as one PDF, _build/html/lesson5-executable.pdf, linked from the site's
# front page: Jupyter Book's one-page build (singlehtml, from the same executed outputs as the
# site, so nothing runs again) printed by headless Chromium (scripts/print_pdf.py). No TeX.
# Run it after the site build (scripts/test.sh does).
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
if [ ! -f _build/html/index.html ]; then
  echo "pdf: build the site first (bash scripts/build.sh); the PDF is written into it" >&2
  exit 1
fi
bash scripts/install-browser.sh --pdf
# This makes the PDF, so the pages it prints and the site both link it (_ext/pdf_link.py).
export LESSON5_NO_PDF=0
bash scripts/sphinx_build.sh singlehtml
python scripts/print_pdf.py _build/singlehtml _build/html/lesson5-executable.pdf
# A site built where Chromium was missing says it has no PDF: now that there is one, build
# the site again (nothing executes; the pages are rewritten) so that its front page links it.
if ! grep -qF 'href="../lesson5-executable.pdf"' _build/html/book/intro.html; then
  bash scripts/sphinx_build.sh html
fi
echo "pdf: _build/html/lesson5-executable.pdf"
