#!/usr/bin/env bash
# Runs every test: lint, a check that every dataset is obtainable and verified, the system
# packages the tests need (installed, or it stops with the commands that install them), nbval
# on every chapter (stored outputs must match a fresh run), the package's unit tests, a clean
# build of the site from nbval's runs with warnings as errors, the PDF, and the built site and
# JupyterLab checked in headless Chromium (tests/browser).
# Steps that do not depend on each other overlap: the system packages install while pip
# installs the Python ones; the chapters run one per core (as memory allows), longest first;
# then the unit tests (at a lower priority) and the browser checks that need no built site
# (JupyterLab, publishing) run beside the site build, the PDF and the site's browser checks.
# Their reports print at the end, and a failure there fails the run.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
start=$SECONDS
step() { echo "== $1  [$((SECONDS - start)) s]"; }

# LibreOffice (the workbook tests recalculate in it), Chromium, a Chinese font and axe-core
# (the browser tests): one job in the background, since apt-get runs one at a time.
system_log=$(mktemp)
# If a step fails before the system packages are waited for, their install still finishes:
# apt-get cut off half-way leaves dpkg to be repaired by hand, and its lock would stop the next run.
on_early_exit() {
  # Already waited for, and its report shown: a second wait gives 127 in macOS's bash 3.2.
  if [ -z "$system_job" ]; then
    rm -f "$system_log"
    return
  fi
  if kill -0 "$system_job" 2>/dev/null; then
    echo "== waiting for the system packages' install to finish before exiting" >&2
  fi
  # The step that shows what it found has not run: show it here when it failed, since its
  # messages say what to install.
  if ! wait "$system_job"; then
    cat "$system_log" >&2
  fi
  rm -f "$system_log"
}
# Both checks run even when the first fails, so that a newcomer missing both hears of both at once.
{
  status=0
  bash scripts/install-libreoffice.sh || status=1
  bash scripts/install-browser.sh || status=1
  exit "$status"
} >"$system_log" 2>&1 &
system_job=$!
trap on_early_exit EXIT

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
# On failure, on_early_exit shows what they found, as for a failure in any step before this.
wait "$system_job"
system_job=""
cat "$system_log"

step "nbval: every chapter re-executed and compared with its stored outputs, one per core as memory allows"
rm -rf _build
# Where conftest.py keeps the runs nbval compared, for the site build below: set for this
# command only, so that the unit tests' own small nbval runs, beside the build, write nothing there.
executed=_build/nbval-executed
# Apart, so that a failure of cores.py stops the run with its own message (set -e), not as
# pytest's "invalid -n".
workers=$(python scripts/cores.py)
# loadfile keeps each chapter in one kernel; conftest.py starts the longest first. One worker
# per CPU this process may use, as memory allows (scripts/cores.py), as scripts/execute.py runs
# the build (-n auto would count the host's physical cores).
LESSON5_EXECUTED_DIR="$executed" python -m pytest book/ --nbval -p no:cacheprovider -q \
  -n "$workers" --dist loadfile --durations=5

# These need no built site, so they run beside the build. The unit tests run at a lower
# priority, on the CPU that the site build, the PDF and the browser checks (the longer path)
# leave idle; JupyterLab's check waits on a browser with time limits, so it keeps its share.
BESIDE=(tests/browser/test_lab.py tests/browser/test_publish.py)
unit_log=$(mktemp)
beside_log=$(mktemp)
reported=0
# Starts "$@" in the background as the leader of a process group of its own, so that stopping
# the group stops what it started too: pytest's children, LibreOffice. (Python's setpgid: macOS
# has no setsid command, and there stopping the job alone left its children running.)
in_background() {
  python -c 'import os, sys; os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])' "$@" &
}
# On a failure in the steps below: stop these too, and show what they had reported.
on_exit() {
  local status=$?
  for job in "$unit_job" "$beside_job"; do
    # The job alone where its group does not exist yet: stopped before setpgid, it has
    # started nothing.
    kill -TERM -- "-$job" 2>/dev/null || kill -TERM "$job" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ] && [ "$reported" -eq 0 ]; then
    echo "== the unit tests' report so far:"; cat "$unit_log"
    echo "== JupyterLab and publish checks' report so far:"; cat "$beside_log"
  fi
  rm -f "$system_log" "$unit_log" "$beside_log"
}
unit_job="" beside_job=""
trap on_exit EXIT
# -rs: a skipped test's reason (no data mirror, no LibreOffice) shows in the report.
in_background nice -n 10 python -m pytest tests --ignore=tests/browser -p no:cacheprovider -q -rs --durations=5 >"$unit_log" 2>&1
unit_job=$!
in_background python -m pytest "${BESIDE[@]}" -q -p no:cacheprovider >"$beside_log" 2>&1
beside_job=$!

step "site build from scratch, from the runs nbval just compared (no chapter executed twice)"
python scripts/execute.py --import "$executed"
bash scripts/sphinx_build.sh html

step "PDF of the whole book (the one-page build, printed by Chromium)"
bash scripts/pdf.sh

step "browser: every page of the built site in headless Chromium"
# One pytest process: the page checks share each page's load (tests/browser/conftest.py).
python -m pytest tests/browser -q -p no:cacheprovider --durations=5 "${BESIDE[@]/#/--ignore=}"

# Both reports print, then the first failure among them is the run's.
unit_status=0
wait "$unit_job" || unit_status=$?
beside_status=0
wait "$beside_job" || beside_status=$?
unit_job="" beside_job=""
step "unit tests of the package (run beside the build)"
cat "$unit_log"
step "browser: JupyterLab runs a chapter, the site publishes (run beside the build)"
cat "$beside_log"
reported=1
for status in "$unit_status" "$beside_status"; do
  if [ "$status" -ne 0 ]; then
    exit "$status"
  fi
done
# What scripts/publish.sh asks for: this commit passed every check above, with no uncommitted
# change to a file git tracks (a site built from edits is no commit's).
if git rev-parse -q --verify HEAD >/dev/null 2>&1 && git diff --quiet HEAD --; then
  git rev-parse HEAD >_build/tested
else
  echo "test: no stamp for scripts/publish.sh: the tree differs from a commit (or is none);" \
    "commit, then run this again to publish what passed" >&2
fi
step "test: all passed"
