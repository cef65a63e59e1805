#!/usr/bin/env bash
# Runs every test: lint, the package's unit tests, nbval on every chapter (stored outputs
# must match a fresh run), a clean build of the site with warnings as errors, and the built
# site and JupyterLab checked in headless Chromium (tests/browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# Progress bars are for people watching; stored outputs must not contain them.
export LESSON5_PROGRESS=0

echo "== lint"
python -m ruff check code tests benchmarks _ext scripts conftest.py book

echo "== data: every dataset obtainable and verified (one clear message if not)"
python -m lesson5.download --check

echo "== unit tests (the workbook tests recalculate in LibreOffice)"
bash scripts/install-libreoffice.sh
python -m pytest tests -q --ignore=tests/browser

echo "== nbval: every chapter re-executed (one per core) and compared with its stored outputs"
rm -rf _build
export LESSON5_EXECUTED_DIR=_build/nbval-executed
python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --nbval-cell-timeout 600 -p no:cacheprovider -q -n auto --dist loadfile book/

echo "== site build from scratch, from the runs nbval just compared (no chapter executed twice)"
python scripts/execute.py --import "$LESSON5_EXECUTED_DIR"
jupyter-book build . --builder html -n -W --keep-going

echo "== browser: every page of the built site, and a chapter run in JupyterLab, in headless Chromium"
bash scripts/install-browser.sh
echo "== PDF of the whole book (the one-page build, printed by Chromium)"
bash scripts/pdf.sh
python -m pytest tests/browser -q -p no:cacheprovider
echo "test: all passed"
