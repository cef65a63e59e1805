"""scripts/publish.sh pushes a built site to the gh-pages branch of a remote, with .nojekyll,
and refuses clearly when there is nothing to publish, nowhere to push, or no release tag on the
remote for the chapters' Colab cells to install.

It runs in a scratch git repository holding the real publish.sh and bootstrap_cells.py, the
real ghp-import (from this test's Python environment), a _config.yml naming a release, and a
small built site, pushing to a local bare repository; scripts/setup.sh and env.sh are
stand-ins there (the real ones build .venv).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from site_pages import REPO

RELEASE = "v9.8.7"


def _git(*args, cwd):
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def checkout(tmp_path):
    work = tmp_path / "work"
    (work / "scripts").mkdir(parents=True)
    (work / "code").mkdir()
    (work / "code" / "package.py").write_text("VERSION = 1\n")
    for script in ("publish.sh", "bootstrap_cells.py", "toc.py"):
        shutil.copy(REPO / "scripts" / script, work / "scripts")
    (work / "_config.yml").write_text(f"repository:\n  url: https://example.org/course\n  branch: {RELEASE}\n")
    (work / "scripts" / "setup.sh").write_text("exit 0\n")
    (work / "scripts" / "env.sh").write_text(f'PATH="{Path(sys.executable).parent}:$PATH"\n')
    _git("init", "-q", "-b", "main", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".", cwd=work)
    _git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "course",
         cwd=work)
    remote = tmp_path / "site.git"
    _git("init", "-q", "--bare", str(remote), cwd=tmp_path)
    _git("remote", "add", "origin", str(remote), cwd=work)
    _git("tag", RELEASE, cwd=work)
    _git("push", "-q", "origin", RELEASE, cwd=work)
    return work, remote


def _publish(work, *args):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work.parent),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["bash", "scripts/publish.sh", *args], cwd=work, env=env,
                          capture_output=True, text=True)


def _build_site(work, text, tested=True):
    """A built site, stamped as test.sh stamps one that passed from this commit (unless
    `tested` is false)."""
    site = work / "_build" / "html"
    (site / "_static").mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text(f"<html><body>{text}</body></html>")
    (site / "_static" / "reader.css").write_text("body {}")
    stamp = work / "_build" / "tested"
    if tested:
        stamp.write_text(_git("rev-parse", "HEAD", cwd=work))
    else:
        stamp.unlink(missing_ok=True)


def _commit(work, message):
    _git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", message, cwd=work)


def test_publish_pushes_the_site_to_gh_pages_with_nojekyll(checkout):
    work, remote = checkout
    _build_site(work, "first")
    result = _publish(work)
    assert result.returncode == 0, result.stderr
    files = _git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert sorted(files) == [".nojekyll", "_static/reader.css", "index.html"]
    _build_site(work, "second")
    assert _publish(work).returncode == 0
    assert "second" in _git("show", "gh-pages:index.html", cwd=remote)
    assert len(_git("rev-list", "gh-pages", cwd=remote).split()) == 2, "history not kept"


def test_a_checkout_that_never_fetched_gh_pages_still_adds_to_its_history(checkout):
    # As in CI: a fresh checkout of the tested commit alone, with no gh-pages branch of its own
    # and none of the remote's.
    work, remote = checkout
    _build_site(work, "first")
    assert _publish(work).returncode == 0
    first = _git("rev-parse", "gh-pages", cwd=remote).strip()
    _git("branch", "-D", "gh-pages", cwd=work)
    _git("update-ref", "-d", "refs/remotes/origin/gh-pages", cwd=work)
    _build_site(work, "second")
    result = _publish(work)
    assert result.returncode == 0, result.stderr
    assert "second" in _git("show", "gh-pages:index.html", cwd=remote)
    assert _git("rev-parse", "gh-pages^", cwd=remote).strip() == first, "history not kept"


def test_publish_without_a_built_site_says_to_build(checkout):
    work, remote = checkout
    result = _publish(work)
    assert result.returncode != 0
    assert "bash scripts/test.sh" in result.stderr
    assert not _git("branch", "--list", "gh-pages", cwd=remote).strip()


def test_publish_to_a_missing_remote_says_how_to_add_it(checkout):
    work, _ = checkout
    _build_site(work, "site")
    result = _publish(work, "pages")
    assert result.returncode != 0
    assert "git remote add pages" in result.stderr


def test_publish_refuses_before_the_release_tag_is_on_the_remote(checkout):
    work, remote = checkout
    _git("push", "-q", "origin", f":refs/tags/{RELEASE}", cwd=work)
    _build_site(work, "site")
    result = _publish(work)
    assert result.returncode != 0
    assert f"has no tag {RELEASE}" in result.stderr
    assert f"git push origin {RELEASE}" in result.stderr
    assert not _git("branch", "--list", "gh-pages", cwd=remote).strip()


def test_publish_to_an_unreachable_remote_says_so_rather_than_blaming_the_tag(checkout):
    work, remote = checkout
    _git("remote", "set-url", "origin", str(remote.parent / "gone.git"), cwd=work)
    _build_site(work, "site")
    result = _publish(work)
    assert result.returncode != 0
    assert "could not list the tags of origin" in result.stderr
    assert "has no tag" not in result.stderr


def test_publish_refuses_when_the_package_changed_since_the_release(checkout):
    work, remote = checkout
    (work / "code" / "package.py").write_text("VERSION = 2\n")
    _commit(work, "change")
    _build_site(work, "site")
    result = _publish(work)
    assert result.returncode != 0
    assert f"code/ has changed since the release {RELEASE}" in result.stderr
    assert not _git("branch", "--list", "gh-pages", cwd=remote).strip()


@pytest.mark.parametrize("state", ["never tested", "tested at another commit", "edited since"])
def test_publish_refuses_a_site_that_test_sh_did_not_pass_from_this_commit(checkout, state):
    # A failed test.sh, or a build.sh alone, leaves _build/html as well.
    work, remote = checkout
    readme = work / "README.md"
    readme.write_text("course\n")
    _git("add", "README.md", cwd=work)
    _commit(work, "readme")
    _build_site(work, "site", tested=state != "never tested")
    if state == "tested at another commit":
        readme.write_text("course, amended\n")
        _commit(work, "amended")
    elif state == "edited since":
        readme.write_text("course, not committed\n")
    result = _publish(work)
    assert result.returncode != 0
    assert "not one that bash scripts/test.sh built and passed from this commit" in result.stderr
    assert not _git("branch", "--list", "gh-pages", cwd=remote).strip()
