#!/usr/bin/env bash
# Publishes the built site: the contents of _build/html become the gh-pages branch, which
# GitHub Pages (or any static host that serves a branch) puts online. With ghp-import (pinned
# in requirements.txt), the way the Jupyter Book documentation publishes; .nojekyll is added so
# GitHub serves the _static/ and _images/ folders as they are.
#   bash scripts/publish.sh [REMOTE]     (default: origin)
# Build and test first (bash scripts/test.sh, which stamps _build/tested with the commit it
# passed); CI does both and then runs this (.github/workflows/publish.yml). The branch keeps
# one commit per publication. The release tag the chapters install must be on the remote
# first, holding the package as it is here (CONTRIBUTING.md, "Releasing").
# Started with sh (dash, on Debian and Ubuntu), say so, rather than stop at -o pipefail below.
[ -n "${BASH_VERSION:-}" ] || { echo "$0 is a bash script: run it as  bash $0" >&2; exit 2; }
set -euo pipefail
CDPATH='' cd -- "$(dirname -- "$0")/.."

remote=${1:-origin}
site=_build/html
if [ ! -f "$site/index.html" ]; then
  echo "publish: no built site in $site; build and test it first with  bash scripts/test.sh" >&2
  exit 1
fi
if ! git remote get-url "$remote" >/dev/null 2>&1; then
  echo "publish: this repository has no git remote '$remote'; add it with  git remote add $remote URL" >&2
  exit 1
fi
bash scripts/setup.sh
. scripts/env.sh

# Each chapter's Colab button and first cell install the release tag named in _config.yml: a
# site published before that tag reaches the remote would send learners to a missing release.
release=$(python scripts/bootstrap_cells.py --release)
# Whether $remote has the ref $1 (status 0) or not (2). Failing to list (no such remote, no
# access: git's 128) is neither answer, and stops the script, naming $2, what was being listed.
remote_has() {
  local status=0
  git ls-remote --exit-code "$remote" "$1" >/dev/null || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    echo "publish: could not list the $2 of $remote (git ls-remote exited $status); check the remote's address and your access to it" >&2
    exit 1
  fi
  return "$status"
}
if ! remote_has "refs/tags/$release" tags; then
  echo "publish: $remote has no tag $release, the release that the chapters' Colab buttons and first cells install (repository.branch in _config.yml). Tag the release if it is not yet tagged (git tag $release), push it with  git push $remote $release  and publish again (CONTRIBUTING.md, \"Releasing\")" >&2
  exit 1
fi
# A chapter downloaded from the site installs that release's package too: the package must not
# have changed since.
git fetch --quiet "$remote" "refs/tags/$release"
if ! git diff --quiet FETCH_HEAD HEAD -- code/; then
  echo "publish: the package in code/ has changed since the release $release, so a chapter downloaded from this site would install the older package; make a new release first (CONTRIBUTING.md, \"Releasing\")" >&2
  exit 1
fi

# Only a site that bash scripts/test.sh built and passed, from this commit with nothing
# uncommitted on top, is published: a failed or older build leaves _build/html behind too.
head=$(git rev-parse HEAD)
if [ "$(cat _build/tested 2>/dev/null || true)" != "$head" ] || ! git diff --quiet HEAD --; then
  echo "publish: the site in $site is not one that bash scripts/test.sh built and passed from this commit (${head:0:7}) with no uncommitted changes; commit any changes, run  bash scripts/test.sh  and publish again" >&2
  exit 1
fi

# ghp-import makes a publication the child of the last one only when it knows the remote's
# branch (REMOTE/gh-pages); a CI checkout fetches just the commit it tests, so fetch the branch.
# A failure to list is not "no branch" (remote_has): pushing then would start gh-pages afresh,
# without its history.
if remote_has refs/heads/gh-pages branches; then
  git fetch --quiet "$remote" "+refs/heads/gh-pages:refs/remotes/$remote/gh-pages"
fi
python -m ghp_import --no-jekyll --push --force --remote "$remote" --branch gh-pages \
  --message "Site built from $(git rev-parse --short HEAD)" "$site"
echo "publish: $site pushed to the gh-pages branch of $remote ($(git remote get-url "$remote"))"
