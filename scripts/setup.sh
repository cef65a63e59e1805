#!/usr/bin/env bash
# Creates the project's virtual environment in .venv and installs requirements.txt into it,
# with the project's Jupyter kernel. Idempotent: it reinstalls only when requirements.txt,
# code/pyproject.toml or this script changed, and rebuilds .venv when it has no pip, its
# Python is older than 3.11, or it was made for a clone at another path.
#   bash scripts/setup.sh            (PYTHON=python3.12 bash scripts/setup.sh chooses the Python
#                                     that creates .venv; delete .venv to switch later)
# The other scripts call it first; nobody needs to source it.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
# CDPATH emptied: with one exported, cd would look for scripts/.. along it, and could leave
# for another folder holding a scripts/ of its own.
CDPATH='' cd -- "$(dirname -- "$0")/.."
. scripts/system.sh
refuse_sudo_in_a_users_clone setup

# Two commands started at once (build.sh in one terminal, lab.sh in another) each found .venv
# missing, and the second deleted the one the first was making: one run at a time sets it up.
# The lock is on this script, so it needs no file of its own; where there is no flock
# (macOS), runs are not kept apart.
if command -v flock >/dev/null; then
  exec 9<scripts/setup.sh
  if ! flock -n 9; then
    echo "setup: another command in this clone is setting up .venv; waiting for it to finish"
    flock 9
  fi
fi

min_python=3.11
python=${PYTHON:-python3}
version_ok='import sys; sys.exit(sys.version_info < (3, 11))'
# Only the Python that makes .venv must be 3.11 or newer: once made, .venv has its own.
require_python() {
  if ! command -v "$python" >/dev/null; then
    echo "setup: no '$python' on PATH; install Python $min_python or newer, or set PYTHON to one" >&2
    exit 1
  fi
  if ! "$python" -c "$version_ok"; then
    echo "setup: the course needs Python $min_python or newer; '$python' is $("$python" --version 2>&1)." >&2
    echo "setup: set PYTHON to a newer one, e.g. PYTHON=python3.11 bash scripts/setup.sh" >&2
    exit 1
  fi
}
# A .venv made by Windows' own Python (README, "By hand, on Windows") has Scripts\ and no bin/:
# taken for broken and rebuilt here, in WSL, it would be lost to Windows. It is left alone.
if [ -d .venv/Scripts ] && [ ! -e .venv/bin ]; then
  echo "setup: .venv was made by Windows' Python (it has Scripts\\, no bin/), which this shell cannot use." >&2
  echo "setup: to keep it for Windows, run these scripts in a clone of their own (in WSL, one under ~);" >&2
  echo "setup: or delete .venv, and this script makes one for this shell." >&2
  exit 1
fi
# A .venv without pip is what a failed first run leaves where python3-venv is missing, and
# what uv makes; this script installs with pip.
if [ -e .venv ] && ! { [ -x .venv/bin/python ] && .venv/bin/python -c "$version_ok" 2>/dev/null \
    && .venv/bin/python -m pip --version >/dev/null 2>&1; }; then
  echo "setup: .venv has no pip (a failed first run left it so, or a tool such as uv made it without)" \
    "or was made with Python older than $min_python; rebuilding it with pip"
  rm -rf .venv
fi
# A .venv moved or copied with its clone still runs, but its scripts start the Python at the old
# path and its editable install imports the package from the old clone, or from nowhere once
# that is gone. (The install records the clone's real path: compared with pwd -P, a clone
# reached through a symbolic link is not taken for another.)
if [ -x .venv/bin/python ] && [ -f .venv/.installed-requirements ]; then
  installed=$(.venv/bin/python -c 'import importlib.util; s = importlib.util.find_spec("lesson5")
print(s.origin if s else "")' 2>/dev/null || true)
  case "$installed" in
    "$(pwd -P)/code/"*) ;;
    *) echo "setup: .venv was made for a clone elsewhere (its package is ${installed:-not found}); rebuilding it"
       rm -rf .venv ;;
  esac
fi
if [ ! -x .venv/bin/python ]; then
  require_python
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi

stamp=.venv/.installed-requirements
# Hashed with .venv's Python: sha256sum comes with GNU coreutils, which not every system has.
want=$(cat requirements.txt code/pyproject.toml scripts/setup.sh |
  .venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements.txt into .venv (the first time takes a few minutes)"
  # Only where pip will fetch PyTorch: an installed torch of the pinned version, a CPU build
  # too, meets the pin and stays.
  torch_pinned='import re, sys
from importlib.metadata import version
pin = re.search(r"^torch==(\S+)", open("requirements.txt").read(), re.M).group(1)
sys.exit(version("torch").split("+")[0] != pin)'
  # Where pip takes packages from, its configuration files and PIP_* variables alike: a pip
  # pointed at an index or a folder of wheels of its own may well hold the CPU build.
  if [ "$(uname -s)" = Linux ] && ! .venv/bin/python -c "$torch_pinned" 2>/dev/null \
      && ! grep -qE '\.(index-url|extra-index-url|find-links)=' \
        <<<"$(.venv/bin/python -m pip config list 2>/dev/null || true)"; then
    echo "setup: pip names no index or folder of wheels of its own, so that is PyTorch's CUDA build" \
      "from PyPI on Linux, several GB;" \
      "README.md says how to take the CPU build (about 200 MB) instead"
  fi
  rm -f "$stamp"
  # pip would compile every installed module to bytecode one file at a time, a third of the
  # install; compileall does the same on every core. Bytecode made now matters: where
  # PYTHONDONTWRITEBYTECODE is set (CI machines), nothing compiled later is ever kept, and
  # each process would compile torch's modules again. As with pip, a file written for a newer
  # Python (torch ships one for 3.12) is left uncompiled, which is why errors are ignored.
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-compile -r requirements.txt
  # jsonschema imports rfc3987-syntax where it is installed (jupyter-events asks for it), and
  # that builds a parser for IRIs at import, a second of one core in every process that
  # imports nbformat: each nbval run and xdist worker, the site build, JupyterLab. Nothing here
  # validates an IRI, and jsonschema without it skips that format alone.
  .venv/bin/python -m pip uninstall --disable-pip-version-check -q -y rfc3987-syntax
  .venv/bin/python -m compileall -qq -j 0 \
    "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" || true
  echo "$want" > "$stamp"
fi
# The chapters name the kernel "python3"; this one runs inside .venv, with the CPU code paths
# the build uses, however it is started (scripts/kernel.py; scripts/env.sh says why ATen's is
# for x86-64 CPUs with AVX2 alone). Checked on every run, not only after an install.
.venv/bin/python scripts/kernel.py
