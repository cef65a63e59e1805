#!/usr/bin/env bash
# Regenerates requirements.txt from requirements.in: every package the course needs, and
# everything they pull in, pinned to an exact version. Run it after editing requirements.in
# (it keeps the existing pins where they still fit; `--upgrade-package NAME` moves one).
#   bash scripts/lock.sh [pip-compile options]
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
python -m piptools compile --quiet --no-strip-extras \
  --no-emit-index-url --no-emit-find-links --no-header \
  "$@" requirements.in -o requirements.txt
# The pin stays the public version: pip then takes whichever build of it the index offers
# (these machines' CPU wheel, PyTorch's CPU index, or PyPI's CUDA build; see README).
# Written to a new file and moved: BSD sed (macOS) takes -i differently from GNU sed.
sed -E 's/^torch==([0-9.]+)\+[a-z0-9]+$/torch==\1/' requirements.txt >requirements.txt.new
mv requirements.txt.new requirements.txt
echo "lock: requirements.txt regenerated from requirements.in"
