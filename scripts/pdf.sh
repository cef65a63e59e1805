#!/usr/bin/env bash
# Builds the whole book as one PDF, _build/html/lesson5-executable.pdf, linked from the site's
# front page: Jupyter Book's one-page build (singlehtml, from the same executed outputs as the
# site, so nothing runs again) printed by headless Chromium (scripts/print_pdf.py). No TeX.
# Run it after the site build (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
if [ ! -f _build/html/index.html ]; then
  echo "pdf: build the site first (bash scripts/build.sh); the PDF is written into it" >&2
  exit 1
fi
bash scripts/install-browser.sh
jupyter-book build . --builder singlehtml -n -W --keep-going
python scripts/print_pdf.py _build/singlehtml _build/html/lesson5-executable.pdf
echo "pdf: _build/html/lesson5-executable.pdf"
