#!/usr/bin/env bash
# Makes sure the browser test (tests/browser) has a Chromium to drive. Playwright's own
# browser download needs the internet, so the test uses Debian's `chromium` package
# (or the binary named by LESSON5_CHROMIUM). Installs it when run as root; otherwise
# exits non-zero with the exact command to run.
set -euo pipefail

chromium=${LESSON5_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
if [ -n "${LESSON5_CHROMIUM:-}" ]; then
  echo "install-browser: LESSON5_CHROMIUM=$chromium is not an executable file" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "install-browser: installing Chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q chromium >/dev/null
  if [ -x "$chromium" ]; then
    exit 0
  fi
  echo "install-browser: apt-get installed chromium but $chromium is missing" >&2
  exit 1
fi
cat >&2 <<MSG
install-browser: the browser test needs Chromium at $chromium. Install it with:
    sudo apt-get update && sudo apt-get install -y chromium
or point LESSON5_CHROMIUM at an installed Chromium or Google Chrome binary.
MSG
exit 1
