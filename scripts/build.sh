#!/usr/bin/env bash
# Builds the site into _build/html, executing every chapter that changed since the last
# build (myst-nb's execution cache). Any cell error or Sphinx warning fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# Progress bars are for people watching; stored outputs must not contain them.
export LESSON5_PROGRESS=0
# Executes the chapters whose code changed, one per core, into the cache the build reads.
python scripts/execute.py
jupyter-book build . --builder html -n -W --keep-going
# The PDF of the whole book, linked from the front page, is printed by headless Chromium.
if bash scripts/install-browser.sh; then
  bash scripts/pdf.sh
else
  echo "build: no PDF (it needs Chromium, see above); the site itself is complete" >&2
fi
echo "build: open _build/html/index.html"
