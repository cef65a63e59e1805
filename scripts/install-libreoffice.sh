#!/usr/bin/env bash
# Makes sure the workbook tests (tests/test_workbooks.py) have a spreadsheet program that
# recalculates formulas: LibreOffice Calc without its GUI, Debian's `libreoffice-calc-nogui`.
# Installs it when run as root; otherwise exits non-zero with the exact command to run.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail

package="libreoffice-calc-nogui"
if command -v soffice >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "install-libreoffice: installing $package with apt-get"
  . "$(dirname -- "$0")/system.sh"
  apt_install install-libreoffice --no-install-recommends "$package" || exit 1
  if command -v soffice >/dev/null; then
    exit 0
  fi
  echo "install-libreoffice: apt-get ran, but soffice is still not on PATH" >&2
  exit 1
fi
cat >&2 <<MSG
install-libreoffice: the workbook tests need LibreOffice Calc (soffice). Install it with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends $package
MSG
exit 1
