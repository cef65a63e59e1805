#!/usr/bin/env bash
# Runs every test: the package's unit tests, nbval on every chapter (stored outputs must
# match a fresh run), a clean build of the site with warnings as errors, and the built
# site checked page by page in headless Chromium (tests/browser).
source "$(dirname "$0")/setup.sh"

echo "== unit tests"
python -m pytest tests -q --ignore=tests/browser

echo "== nbval: every chapter re-executed and compared with its stored outputs"
python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
  --nbval-cell-timeout 600 -p no:cacheprovider -q book/

echo "== site build from scratch (every chapter executed afresh)"
rm -rf _build
jupyter-book build . --builder html -n -W --keep-going

echo "== browser: every page of the built site in headless Chromium, offline"
bash scripts/install-browser.sh
python -m pytest tests/browser -q -p no:cacheprovider
echo "test: all passed"
