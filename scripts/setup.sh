#!/usr/bin/env bash
# Shared set-up for the README's commands: a project virtual environment in .venv with
# requirements.txt installed and a Jupyter kernel that runs inside it. Idempotent: it
# reinstalls only when requirements.txt or code/pyproject.toml changed.
# Sourced, not run: it leaves the caller in the repository root with the environment set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi

stamp=.venv/.installed-requirements
want=$(cat requirements.txt code/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing requirements.txt into .venv"
  .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements.txt
  # The chapters run in the kernel named in their metadata ("python3"); this one uses .venv.
  .venv/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lesson5)" >/dev/null
  echo "$want" > "$stamp"
fi

export PATH="$PWD/.venv/bin:$PATH"
# Put the project's kernel ahead of any "python3" kernel in the user's own Jupyter folders.
export JUPYTER_PATH="$PWD/.venv/share/jupyter"
# Pin the CPU code paths of PyTorch's own kernels (ATen) to AVX2, which every x86-64 CPU of the
# last decade has, and MKL's (matrix products) to its COMPATIBLE branch, the one branch it runs
# alike on Intel and AMD processors. Left alone, each picks the widest instructions the CPU
# offers: the last bits of a result change, a few epochs of training turn that into another
# fourth decimal, and nbval fails on any machine but the one that stored the outputs.
# seed_everything() does the rest (threads, convolutions).
export ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=COMPATIBLE
# Progress bars are for people watching; stored outputs must not contain them.
export LESSON5_PROGRESS=0
