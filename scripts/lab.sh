#!/usr/bin/env bash
# Opens the chapters in JupyterLab with the project's kernel: the README's command for
# running the course yourself. Extra arguments go to `jupyter lab` (e.g. --no-browser).
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
bash scripts/setup.sh
. scripts/env.sh
# JupyterLab will not start as root without being told to (in a container's shell, say).
if [ "$(id -u)" -eq 0 ]; then
  set -- --allow-root "$@"
fi
exec jupyter lab --notebook-dir=book "$@"
