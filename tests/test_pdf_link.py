"""The front page's link to the book's PDF (_ext/pdf_link.py, book/intro.md): present in a
build that prints the PDF, replaced by how to get it in one that cannot (scripts/build.sh
where Chromium is missing), and what scripts/install-browser.sh asks for before printing
(Chromium and a Chinese font, which a Mac has without fontconfig; not axe-core).

The built site's link is followed by tests/browser/test_pdf.py.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sphinx_page import build_page

REPO = Path(__file__).resolve().parents[1]
LINK = 'href="../lesson5-executable.pdf"'


def front_page(tmp_path, no_pdf):
    """book/intro.md built as the site builds it, with the project's pdf_link extension."""
    return build_page(tmp_path, "intro", "pdf_link", myst_extensions=["colon_fence"],
                      env={"LESSON5_NO_PDF": "1" if no_pdf else "0"})


def test_a_build_that_prints_the_pdf_links_it(tmp_path):
    html = front_page(tmp_path, no_pdf=False)
    assert html.count(LINK) == 1
    assert "built without the PDF" not in html


def test_a_build_without_chromium_says_how_to_get_the_pdf_and_links_no_file(tmp_path):
    html = front_page(tmp_path, no_pdf=True)
    assert "lesson5-executable.pdf" not in html
    assert "built without the PDF" in html and "scripts/build.sh" in html


def install_browser(tmp_path, *args, chromium, default_chromium=True, path=os.environ["PATH"]):
    """scripts/install-browser.sh run from a copy of the repository that has no axe-core, as a
    user who is not root (a stand-in `id`), so that it never runs apt-get on this machine; the
    programs in tmp_path/bin come first on PATH, before `path`. Without `default_chromium`,
    LESSON5_CHROMIUM is unset and the copy's default Chromium is a path where there is none."""
    (tmp_path / "scripts").mkdir()
    script = (REPO / "scripts" / "install-browser.sh").read_text()
    if not default_chromium:
        script = script.replace("/usr/bin/chromium", str(tmp_path / "no-chromium"))
    (tmp_path / "scripts" / "install-browser.sh").write_text(script)
    shutil.copy(REPO / "scripts" / "system.sh", tmp_path / "scripts")
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "id", "1000")
    env = {**os.environ, "LESSON5_CHROMIUM": str(chromium), "PATH": f"{bin_folder}:{path}"}
    if not default_chromium:
        del env["LESSON5_CHROMIUM"]
    return subprocess.run(
        [shutil.which("bash"), str(tmp_path / "scripts" / "install-browser.sh"), *args],
        env=env, capture_output=True, text=True, timeout=60,
    )


def stand_in(folder, name, output=""):
    """An executable `name` in `folder` that prints `output`."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text(f"#!/bin/sh\necho '{output}'\n" if output else "#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_printing_the_pdf_needs_chromium_but_not_axe_core(tmp_path):
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Linux")
    stand_in(bin_folder, "fc-list", "/usr/share/fonts/wqy-microhei.ttc: WenQuanYi Micro Hei")
    chrome = stand_in(tmp_path / "chrome", "chrome")
    result = install_browser(tmp_path, "--pdf", chromium=chrome)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "tests").exists()  # nothing installed from npm


def test_a_mac_needs_no_fontconfig_for_the_chinese_page(tmp_path):
    # A Mac with Chrome: uname says Darwin, and fc-list (fontconfig) finds no font at all.
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Darwin")
    stand_in(bin_folder, "fc-list")
    chrome = stand_in(tmp_path / "chrome", "chrome")
    assert install_browser(tmp_path, "--pdf", chromium=chrome).returncode == 0


def test_elsewhere_a_missing_chinese_font_is_asked_for(tmp_path):
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Linux")
    stand_in(bin_folder, "fc-list")
    chrome = stand_in(tmp_path / "chrome", "chrome")
    result = install_browser(tmp_path, "--pdf", chromium=chrome)
    assert result.returncode == 1
    assert "printing the book's PDF needs fonts-wqy-microhei" in result.stderr
    assert "sudo apt-get install -y fonts-wqy-microhei" in result.stderr


def test_a_missing_chromium_is_named(tmp_path):
    result = install_browser(tmp_path, "--pdf", chromium=tmp_path / "no-chromium")
    assert result.returncode == 1
    assert f"LESSON5_CHROMIUM={tmp_path / 'no-chromium'} is not an executable file" in result.stderr


@pytest.mark.parametrize("chromium_missing", [True, False])
def test_a_missing_chromium_is_asked_for_with_ubuntus_snap_beside_apt(tmp_path, chromium_missing):
    # Ubuntu has no chromium apt package: the apt command alone failed there.
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Linux")
    stand_in(bin_folder, "fc-list")
    chrome = stand_in(tmp_path / "chrome", "chrome")
    result = install_browser(tmp_path, "--pdf", chromium=chrome, default_chromium=not chromium_missing)
    assert result.returncode == 1
    assert ("sudo apt-get install -y chromium fonts-wqy-microhei" in result.stderr) is chromium_missing
    said = "sudo snap install chromium, then export\nLESSON5_CHROMIUM=/snap/bin/chromium"
    assert (said in result.stderr) is chromium_missing, result.stderr


def test_an_unknown_option_is_refused(tmp_path):
    result = install_browser(tmp_path, "--pfd", chromium=tmp_path / "no-chromium")
    assert result.returncode == 2
    assert "unknown option --pfd" in result.stderr


@pytest.mark.parametrize("installed, runs_npm", [("4.0.0", True), ("pinned", False)])
def test_an_axe_core_other_than_the_lock_files_is_replaced(tmp_path, installed, runs_npm):
    if shutil.which("node") is None:
        pytest.skip("node, which reads the two versions, is not installed")
    lock = json.loads((REPO / "tests" / "browser" / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/axe-core"]["version"]
    axe = tmp_path / "tests" / "browser" / "node_modules" / "axe-core"
    axe.mkdir(parents=True)
    (axe / "axe.min.js").write_text("")
    (axe / "package.json").write_text(json.dumps({"version": pinned if installed == "pinned" else installed}))
    shutil.copy(REPO / "tests" / "browser" / "package-lock.json", tmp_path / "tests" / "browser")
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Linux")
    stand_in(bin_folder, "fc-list", "/usr/share/fonts/wqy-microhei.ttc: WenQuanYi Micro Hei")
    # A stand-in npm that notes how it was called, run in the copy's root as the script runs it.
    (bin_folder / "npm").write_text('#!/bin/sh\necho "$@" >> npm-calls\n')
    (bin_folder / "npm").chmod(0o755)
    result = install_browser(tmp_path, chromium=stand_in(tmp_path / "chrome", "chrome"))
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "npm-calls").read_text() if (tmp_path / "npm-calls").exists() else ""
    assert calls.startswith("ci --prefix tests/browser") is runs_npm
    assert ("installing the pinned one" in result.stdout) is runs_npm


def test_an_outdated_axe_core_without_npm_names_the_package_to_install(tmp_path):
    # axe-core installed, older than package-lock.json pins, and node without npm (Debian's
    # nodejs alone): the script stopped on "npm: command not found".
    axe = tmp_path / "tests" / "browser" / "node_modules" / "axe-core"
    axe.mkdir(parents=True)
    (axe / "axe.min.js").write_text("")
    bin_folder = tmp_path / "bin"
    stand_in(bin_folder, "uname", "Linux")
    stand_in(bin_folder, "fc-list", "/usr/share/fonts/wqy-microhei.ttc: WenQuanYi Micro Hei")
    (bin_folder / "node").write_text('#!/bin/sh\ncase "$*" in *package-lock*) echo 4.10.0;; *) echo 4.9.0;; esac\n')
    (bin_folder / "node").chmod(0o755)
    # A PATH with no npm: only what the script runs besides the stand-ins.
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "dirname").symlink_to(shutil.which("dirname"))
    result = install_browser(tmp_path, chromium=stand_in(tmp_path / "chrome", "chrome"), path=str(tools))
    assert result.returncode == 1
    assert "axe-core 4.9.0" in result.stdout and "pins 4.10.0" in result.stdout, result.stdout
    assert "installing axe-core needs npm" in result.stderr and "apt-get install -y npm" in result.stderr, result.stderr
