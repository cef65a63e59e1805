#!/usr/bin/env bash
# Makes sure the browser tests (tests/browser) have what they drive and inject:
#  - a Chromium, and a Chinese font so the Chinese overview shows text rather than empty boxes.
#    Playwright's own browser download needs the internet, so the tests use Debian's
#    `chromium` package (or the binary named by LESSON5_CHROMIUM);
#  - axe-core, the accessibility rules, from npm at the version pinned in
#    tests/browser/package-lock.json, installed into the git-ignored tests/browser/node_modules.
# Installs what is missing with apt-get when run as root; otherwise exits non-zero with the
# exact command to run. With --pdf, only what printing the book's PDF needs (scripts/pdf.sh):
# Chromium and the Chinese font, not axe-core.
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."
. scripts/system.sh
for_pdf=0
case "${1:-}" in
  --pdf) for_pdf=1 ;;
  "") ;;
  *) echo "install-browser: unknown option $1 (the one option is --pdf)" >&2; exit 2 ;;
esac

chromium=${LESSON5_CHROMIUM:-/usr/bin/chromium}
axe=tests/browser/node_modules/axe-core/axe.min.js
# macOS ships Chinese fonts (PingFang) and has no fc-list; elsewhere, ask fontconfig.
has_chinese_font() {
  [ "$(uname)" = Darwin ] || { command -v fc-list >/dev/null && [ -n "$(fc-list :lang=zh)" ]; }
}

if [ -n "${LESSON5_CHROMIUM:-}" ] && [ ! -x "$chromium" ]; then
  echo "install-browser: LESSON5_CHROMIUM=$chromium is not an executable file: point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium" >&2
  exit 1
fi
packages=""
[ -x "$chromium" ] || packages="$packages chromium"
has_chinese_font || packages="$packages fonts-wqy-microhei"
[ "$for_pdf" = 1 ] || [ -f "$axe" ] || command -v npm >/dev/null || packages="$packages npm"

# Ubuntu's apt has no chromium: README.md, "The browser check", gives the snap.
ubuntu_note=""
case "$packages" in
  *chromium*) ubuntu_note="On Ubuntu, whose Chromium is a snap: sudo snap install chromium, then export
LESSON5_CHROMIUM=/snap/bin/chromium (README.md, \"The browser check\")." ;;
esac
if [ -n "$packages" ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    if [ "$for_pdf" = 1 ]; then needs="printing the book's PDF needs"; else needs="the browser tests need"; fi
    cat >&2 <<MSG
install-browser: $needs$packages. Install them with:
    sudo apt-get update && sudo apt-get install -y$packages
(or point LESSON5_CHROMIUM at an installed Chromium or Google Chrome binary; on macOS,
LESSON5_CHROMIUM="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome").
MSG
    [ -z "$ubuntu_note" ] || echo "$ubuntu_note" >&2
    exit 1
  fi
  echo "install-browser: installing$packages with apt-get"
  # shellcheck disable=SC2086 # one word per package
  if ! apt_install install-browser $packages; then
    [ -z "$ubuntu_note" ] || echo "$ubuntu_note" >&2
    exit 1
  fi
  if [ ! -x "$chromium" ] || ! has_chinese_font; then
    echo "install-browser: apt-get ran, but $chromium or a Chinese font is still missing" >&2
    exit 1
  fi
fi

# The version of axe-core installed, and the one package-lock.json pins ("" if unreadable).
axe_version() {
  node -p "require('./tests/browser/$1')$2.version" 2>/dev/null || true
}
# The axe-core that package-lock.json pins, into tests/browser/node_modules.
npm_ci() {
  refuse_sudo_in_a_users_clone install-browser
  if ! command -v npm >/dev/null; then
    echo "install-browser: installing axe-core needs npm. Install it with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y npm" >&2
    exit 1
  fi
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
}
if [ "$for_pdf" = 0 ]; then
  if [ ! -f "$axe" ]; then
    echo "install-browser: installing axe-core from npm into tests/browser/node_modules"
    npm_ci
  # An install from before the lock file moved would run the old rules without a word.
  elif command -v node >/dev/null; then
    installed=$(axe_version node_modules/axe-core/package.json "")
    pinned=$(axe_version package-lock.json ".packages['node_modules/axe-core']")
    if [ "$installed" != "$pinned" ]; then
      echo "install-browser: tests/browser/node_modules has axe-core ${installed:-of unknown version}," \
        "package-lock.json pins ${pinned:-an unreadable version}: installing the pinned one"
      npm_ci
    fi
  fi
fi
