# The project's environment in your own shell: `. scripts/env.sh` from the repository root
# (bash, zsh or any POSIX shell), after `bash scripts/setup.sh` has made .venv.
# It only sets variables: no shell option of yours changes, and an error returns without
# closing your terminal.
# Run as a script (`bash scripts/env.sh`), it would set its variables in a shell that ends with
# it, and say nothing: zsh tells a sourced file by its eval context, other shells by $0, which
# names this file only when it is run (a script of yours that sources it, dev-env.sh say, is
# $0 then: the whole name is compared).
case "${ZSH_EVAL_CONTEXT:-}" in
  *:file*) ;;
  *) case "${0##*/}" in
       env.sh)
         echo "env.sh: this sets variables in your own shell, so source it rather than run it: . scripts/env.sh" >&2
         exit 1 ;;
     esac ;;
esac
if [ ! -f scripts/env.sh ] || [ ! -f requirements.in ]; then
  echo "env.sh: source it from the repository root: cd to the folder holding README.md, then . scripts/env.sh" >&2
  return 1 2>/dev/null || exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "env.sh: no .venv yet; run  bash scripts/setup.sh  first" >&2
  return 1 2>/dev/null || exit 1
fi
PATH="$PWD/.venv/bin:$PATH"
VIRTUAL_ENV="$PWD/.venv"
# Put the project's kernel ahead of any "python3" kernel in your own Jupyter folders, keeping
# any JUPYTER_PATH of yours after it.
JUPYTER_PATH="$PWD/.venv/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
# Pin the CPU code paths of PyTorch's own kernels (ATen) to AVX2, which nearly every x86-64 CPU
# of the last decade has, and MKL's (matrix products) to its COMPATIBLE branch, the one branch it
# runs alike on Intel and AMD processors. Left alone, each picks the widest instructions the
# CPU offers: the last bits of a result change, a few epochs of training turn that into another
# fourth decimal, and the stored outputs would match only the machine that made them. Pinned,
# all but a few long training runs print alike on other CPUs; those cells are tagged
# machine-dependent (scripts/reference_machine.py). seed_everything() does the rest (threads,
# convolutions). The kernel spec sets them too.
ATEN_CPU_CAPABILITY=avx2
MKL_CBWR=COMPATIBLE
export PATH VIRTUAL_ENV JUPYTER_PATH MKL_CBWR
# AVX2 is an x86-64 instruction set: PyTorch elsewhere (an Apple Silicon Mac, an ARM laptop)
# would print in every chapter that it ignores the setting, and an x86-64 CPU without AVX2 and
# FMA, which ATen's AVX2 kernels use (some Celeron, Pentium and Atom chips), would stop at an
# illegal instruction, since PyTorch obeys the setting without asking the CPU. There it is left
# unset, and some last digits then differ from the site's; scripts/reference_machine.py --pins
# decides, and says so. (MKL's setting is ignored off x86-64.)
if lesson5_pins=$("$PWD/.venv/bin/python" scripts/reference_machine.py --pins --machine "$(uname -m)"); then
  case "$lesson5_pins" in
    *ATEN_CPU_CAPABILITY=*) export ATEN_CPU_CAPABILITY ;;
    *) unset ATEN_CPU_CAPABILITY ;;
  esac
else
  echo "env.sh: scripts/reference_machine.py --pins failed (above), so ATen's pin is left off" >&2
  unset ATEN_CPU_CAPABILITY
fi
unset lesson5_pins
