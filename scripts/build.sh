#!/usr/bin/env bash
# Builds the site into _build/html, executing every chapter that changed since the last
# build (myst-nb's execution cache). Any cell error or Sphinx warning fails the build.
source "$(dirname "$0")/setup.sh"
jupyter-book build . --builder html -n -W --keep-going
echo "build: open _build/html/index.html"
