#!/usr/bin/env bash
# Runs every test: lint, the package's unit tests together with nbval on every chapter (stored
# outputs must match a fresh run), a clean build of the site from those runs with warnings as
# errors, the PDF, and the built site and JupyterLab checked in headless Chromium (tests/browser).
# Steps that do not depend on each other overlap: the system packages install while pip
# installs the Python ones, the unit tests fill the cores between chapters, and the browser
# checks that need no built site (JupyterLab, publishing) run while the site builds.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "== $1  [$((SECONDS - start)) s]"; }

# LibreOffice (the workbook tests recalculate in it), Chromium, a Chinese font and axe-core
# (the browser tests): one job in the background, since apt-get runs one at a time.
system_log=$(mktemp)
trap 'rm -f "$system_log"' EXIT
{ bash scripts/install-libreoffice.sh && bash scripts/install-browser.sh; } >"$system_log" 2>&1 &
system_job=$!

step "environment (.venv from requirements.txt)"
bash scripts/setup.sh
. scripts/env.sh
# Progress bars are for people watching; stored outputs must not contain them.
export LESSON5_PROGRESS=0

step "lint"
python -m ruff check code tests benchmarks _ext scripts conftest.py book

step "data: every dataset obtainable and verified (one clear message if not)"
python -m lesson5.download --check

step "system packages: LibreOffice, Chromium, axe-core"
if ! wait "$system_job"; then
  cat "$system_log" >&2
  exit 1
fi
cat "$system_log"

step "unit tests and nbval (every chapter re-executed, compared with its stored outputs), one process per core"
rm -rf _build
export LESSON5_EXECUTED_DIR=_build/nbval-executed
# Chapters first: they are the longest items, and loadfile keeps each one in one kernel.
python -m pytest book/ tests --ignore=tests/browser -p no:cacheprovider -q -n auto --dist loadfile \
  --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600 \
  --durations=5

# These need the environment, not the site: they run beside the build (their report is
# printed after the site's checks).
SITE_FREE=(tests/browser/test_lab.py tests/browser/test_publish.py)
site_free_log=$(mktemp)
# A failure before they finish stops them too.
trap 'kill $(jobs -p) 2>/dev/null || true; rm -f "$system_log" "$site_free_log"' EXIT
python -m pytest "${SITE_FREE[@]}" -q -p no:cacheprovider >"$site_free_log" 2>&1 &
site_free_job=$!

step "site build from scratch, from the runs nbval just compared (no chapter executed twice)"
python scripts/execute.py --import "$LESSON5_EXECUTED_DIR"
jupyter-book build . --builder html -n -W --keep-going

step "PDF of the whole book (the one-page build, printed by Chromium)"
bash scripts/pdf.sh

step "browser: every page of the built site in headless Chromium"
# One pytest process: the page checks share each page's load (tests/browser/conftest.py).
python -m pytest tests/browser -q -p no:cacheprovider --durations=5 \
  "${SITE_FREE[@]/#/--ignore=}"

step "browser: JupyterLab runs a chapter, the site publishes (run beside the build)"
site_free_status=0
wait "$site_free_job" || site_free_status=$?
cat "$site_free_log"
if [ "$site_free_status" -ne 0 ]; then
  exit "$site_free_status"
fi
step "test: all passed"
