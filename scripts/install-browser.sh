#!/usr/bin/env bash
# Makes sure the browser test (tests/browser) has a Chromium to drive, and a Chinese font
# so the screenshot of the Chinese overview shows text rather than empty boxes.
# Playwright's own browser download needs the internet, so the test uses Debian's
# `chromium` package (or the binary named by LESSON5_CHROMIUM). Installs what is missing
# when run as root; otherwise exits non-zero with the exact command to run.
set -euo pipefail

chromium=${LESSON5_CHROMIUM:-/usr/bin/chromium}
packages="chromium fonts-wqy-microhei"
has_chinese_font() { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh)" ]; }
if [ -x "$chromium" ] && has_chinese_font; then
  exit 0
fi
if [ -n "${LESSON5_CHROMIUM:-}" ] && [ ! -x "$chromium" ]; then
  echo "install-browser: LESSON5_CHROMIUM=$chromium is not an executable file" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "install-browser: installing $packages with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q $packages >/dev/null
  if [ -x "$chromium" ] && has_chinese_font; then
    exit 0
  fi
  echo "install-browser: apt-get ran, but $chromium or a Chinese font is still missing" >&2
  exit 1
fi
cat >&2 <<MSG
install-browser: the browser test needs Chromium at $chromium and a Chinese font. Install them with:
    sudo apt-get update && sudo apt-get install -y $packages
or point LESSON5_CHROMIUM at an installed Chromium or Google Chrome binary.
MSG
exit 1
