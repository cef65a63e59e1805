"""The paths by which learners run the chapters themselves (README, "Running the chapters
yourself"): the shell environment they may source, the set-up script's Python check and the
bytecode it leaves, and the first cell of every chapter, which installs the package outside a
checkout (Colab); and of the README's test command, that a failed run leaves nothing running.

JupyterLab itself is driven in a browser by tests/browser/test_lab.py.
"""

import ast
import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
import zmq
from packaging.requirements import Requirement

from scripts import reference_machine
from scripts.toc import chapters

REPO = Path(__file__).resolve().parents[1]
BOOTSTRAP = REPO / "scripts" / "bootstrap_cells.py"


def run(args, **kwargs):
    return subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)


def config():
    return yaml.safe_load((REPO / "_config.yml").read_text())


def package_version():
    return tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]["version"]


# --- one repository, one release, named once ---------------------------------------------


def test_every_chapter_has_the_bootstrap_cell_that_config_gives():
    result = run([sys.executable, BOOTSTRAP, "--check"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_config_without_the_release_tag_is_named_not_a_traceback(tmp_path):
    config_without = config()
    del config_without["repository"]["branch"]
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config_without))
    result = run([sys.executable, BOOTSTRAP, "--release", "--root", tmp_path])
    assert result.returncode == 1
    assert "names no repository.branch" in result.stderr and "Traceback" not in result.stderr


def _copy_book(root):
    """The book's sources and the two files that say how it is built, copied into `root`, for
    scripts/bootstrap_cells.py to run on with --root."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "book", root / "book")


def _bootstrap_mends(root, chapter, why):
    """Runs scripts/bootstrap_cells.py on the book at `root`: --check names `chapter`'s problem
    `why`, the script mends it, and --check then passes. Gives the chapter's code cells after."""
    stale = run([sys.executable, BOOTSTRAP, "--check", "--root", root])
    assert stale.returncode == 1 and f"{chapter.name}: {why}" in stale.stdout, stale.stdout
    assert run([sys.executable, BOOTSTRAP, "--root", root]).returncode == 0
    assert run([sys.executable, BOOTSTRAP, "--check", "--root", root]).returncode == 0
    return [c for c in nbformat.read(chapter, as_version=4).cells if c.cell_type == "code"]


def test_bootstrap_check_notices_a_moved_repository(tmp_path):
    _copy_book(tmp_path)
    text = (tmp_path / "_config.yml").read_text()
    # A URL written with a trailing slash, which the install line must not keep.
    (tmp_path / "_config.yml").write_text(text.replace(config()["repository"]["url"], "https://example.org/fork/"))
    stale = run([sys.executable, BOOTSTRAP, "--check", "--root", tmp_path])
    assert stale.returncode == 1
    assert "01_data.ipynb" in stale.stdout

    chapter = tmp_path / "book" / "01_data.ipynb"
    code_cells = sum(c.cell_type == "code" for c in nbformat.read(chapter, as_version=4).cells)
    before = next(c for c in nbformat.read(chapter, as_version=4).cells if c.get("id") == "bootstrap")
    assert run([sys.executable, BOOTSTRAP, "--root", tmp_path]).returncode == 0
    assert run([sys.executable, BOOTSTRAP, "--check", "--root", tmp_path]).returncode == 0
    cells = nbformat.read(chapter, as_version=4).cells
    # The cell was replaced, not added beside the old one.
    assert sum(c.cell_type == "code" for c in cells) == code_cells
    assert sum('find_spec("lesson5")' in c.source for c in cells) == 1
    assert sum(c.get("id") == "bootstrap" for c in cells) == 1
    after = next(c for c in cells if c.get("id") == "bootstrap")
    assert '"https://example.org/fork"' in after.source
    # The stored run stays (a release rewrites every chapter's cell): a cell without an
    # execution count reads as never run.
    assert before.execution_count and after.execution_count == before.execution_count
    assert after.outputs == before.outputs and after.metadata == before.metadata

    # A bootstrap cell that lost its tag would show open on the site.
    nb = nbformat.read(chapter, as_version=4)
    next(c for c in nb.cells if c.get("id") == "bootstrap").metadata["tags"] = []
    nbformat.write(nb, chapter)
    untagged = run([sys.executable, BOOTSTRAP, "--check", "--root", tmp_path])
    assert untagged.returncode == 1 and "not tagged" in untagged.stdout

    # A new chapter not yet in _toc.yml, beside chapters whose cells are all up to date: the
    # script neither checks nor writes its cell, and says why.
    assert run([sys.executable, BOOTSTRAP, "--root", tmp_path]).returncode == 0
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "book" / "08_new.ipynb")
    for args in (["--check"], []):
        unlisted = run([sys.executable, BOOTSTRAP, *args, "--root", tmp_path])
        assert unlisted.returncode == 1, unlisted.stdout + unlisted.stderr
        assert "book/08_new.ipynb: not in _toc.yml" in unlisted.stdout


def test_launch_ref_is_the_package_release():
    """The Colab button opens the notebook at `repository.branch`; the bootstrap cell installs
    the package at the same ref; it must be the tag of the package's version."""
    assert config()["repository"]["branch"] == f"v{package_version()}"


def test_citation_names_the_same_release_and_repository():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["version"] == package_version()
    assert citation["repository-code"] == config()["repository"]["url"]


def test_only_colab_is_offered():
    buttons = config()["launch_buttons"]
    assert not buttons.get("binderhub_url")
    assert not buttons.get("jupyterhub_url")
    assert buttons["colab_url"]


def test_manifest_ships_inside_the_package():
    assert (REPO / "code" / "lesson5" / "datasets.toml").is_file()
    data = tomllib.loads((REPO / "code" / "pyproject.toml").read_text())
    assert "*.toml" in data["tool"]["setuptools"]["package-data"]["lesson5"]


def test_bootstrap_gives_a_draft_of_markdown_alone_its_cell(tmp_path):
    # A new chapter starts as prose (CONTRIBUTING.md's step 4 runs the script on it).
    _copy_book(tmp_path)
    chapter = tmp_path / "book" / "01_data.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]
    nbformat.write(nb, chapter)
    code = _bootstrap_mends(tmp_path, chapter, "it has no code cell")
    assert [c.get("id") for c in code] == ["bootstrap"]


def test_bootstrap_moves_its_cell_above_a_code_cell_written_first_and_keeps_one(tmp_path):
    # A code cell added above the bootstrap cell: the script inserted a second bootstrap cell
    # (nbformat renamed its repeated id) and --check then passed.
    _copy_book(tmp_path)
    chapter = tmp_path / "book" / "01_data.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    before = [c.get("id") for c in nb.cells if c.cell_type == "code"]
    nb.cells.insert(0, nbformat.v4.new_code_cell("x = 1"))
    nbformat.write(nb, chapter)
    code = _bootstrap_mends(tmp_path, chapter, "its first code cell is not the bootstrap cell")
    assert [c.get("id") for c in code][:2] == ["bootstrap", code[1].get("id")] and code[1].source == "x = 1"
    assert [c.get("id") for c in code[2:]] == before[1:]
    # A copy pasted further down, its id repeated (nbformat renames it when it reads the file),
    # is named by --check, and the script keeps one.
    raw = json.loads(chapter.read_text())
    raw["cells"].append(next(c for c in raw["cells"] if c.get("id") == "bootstrap"))
    chapter.write_text(json.dumps(raw, indent=1))
    mended = _bootstrap_mends(tmp_path, chapter, "it has 2 bootstrap cells")
    assert sum('find_spec("lesson5")' in c.source for c in mended) == 1
    assert [c.get("id") for c in mended][:2] == ["bootstrap", code[1].get("id")]


# --- scripts/env.sh: safe to source in a learner's own shell ------------------------------

# Every shell is listed, so that one missing here shows as skipped in the report.
SHELLS = ("bash", "dash", "zsh")


def _installed(shell):
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed here")


def _source_in(shell, folder, scratch):
    """Sources env.sh in `shell` from `folder`, then prints the exit status of the source,
    whether the shell's options are unchanged (compared in files in the folder `scratch`),
    and a marker proving the shell carried on afterwards."""
    # Read in the shell itself: bash turns -e off inside $(...), so a `set -e` in env.sh,
    # which would close a learner's terminal at the next failing command, read as no change.
    before, after = scratch / "options-before", scratch / "options-after"
    script = (
        f"set -u; flags=$-; set +o > '{before}'; "
        f". '{REPO}/scripts/env.sh'; echo status=$?; "
        f"""[ "$flags" = "$-" ] && set +o > '{after}' && cmp -s '{before}' '{after}' && echo options-unchanged; """
        'echo "path=$PATH"; echo "aten=${ATEN_CPU_CAPABILITY:-}"; echo still-running'
    )
    return run([shell, "-c", script], cwd=folder)


@pytest.mark.parametrize("shell", SHELLS)
def test_env_sh_changes_no_shell_option(shell, tmp_path):
    _installed(shell)
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv: run bash scripts/setup.sh first")
    result = _source_in(shell, REPO, tmp_path)
    out = result.stdout
    assert "status=0" in out, result.stderr
    assert "options-unchanged" in out
    assert f"path={REPO}/.venv/bin:" in out
    assert f"aten={reference_machine.pins().get('ATEN_CPU_CAPABILITY', '')}" in out
    assert "still-running" in out


@pytest.mark.parametrize("shell", SHELLS)
def test_env_sh_run_rather_than_sourced_says_to_source_it(shell):
    # `bash scripts/env.sh`, as every other script is started, set its variables in a shell
    # that then ended, and said nothing.
    _installed(shell)
    result = run([shell, "scripts/env.sh"], cwd=REPO)
    assert result.returncode == 1
    assert "source it rather than run it: . scripts/env.sh" in result.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_a_script_whose_name_ends_in_env_sh_may_source_it(shell, tmp_path):
    # Its $0 ended in env.sh, and env.sh took it for itself run: it stopped the script.
    _installed(shell)
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv: run bash scripts/setup.sh first")
    script = tmp_path / "dev-env.sh"
    script.write_text('. scripts/env.sh\necho "sourced $VIRTUAL_ENV"\n')
    result = run([shell, script], cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert f"sourced {REPO}/.venv" in result.stdout


@pytest.mark.parametrize("shell", SHELLS)
def test_env_sh_outside_the_repository_returns_an_error_and_keeps_the_shell(shell, tmp_path):
    _installed(shell)
    result = _source_in(shell, tmp_path, tmp_path)
    assert "status=1" in result.stdout
    assert "source it from the repository root" in result.stderr
    assert "options-unchanged" in result.stdout
    assert "still-running" in result.stdout


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("machine, flags, aten", [("x86_64", "avx avx2 fma", "avx2"), ("x86_64", "avx fma", "unset"),
                                                  ("arm64", "", "unset"), ("aarch64", "", "unset")])
def test_env_sh_pins_atens_instruction_set_on_x86_64_cpus_with_avx2_alone(machine, flags, aten, shell, tmp_path):
    # `uname -m` and the CPU's flags answer as that machine's would. PyTorch elsewhere warns that
    # it ignores "avx2", and obeys it without asking the CPU: on an x86-64 CPU without AVX2 a
    # chapter would stop at an illegal instruction.
    _installed(shell)
    if not (REPO / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv: run bash scripts/setup.sh first")
    fake = _sh(tmp_path / "bin" / "uname", f"echo {machine}\n").parent
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: fpu sse sse2 {flags}\n")
    script = (f"export ATEN_CPU_CAPABILITY=left-from-before; . '{REPO}/scripts/env.sh'; "
              'echo "aten=${ATEN_CPU_CAPABILITY-unset} mkl=${MKL_CBWR-unset}"')
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "LESSON5_CPUINFO": str(cpuinfo)}
    result = run([shell, "-c", script], cwd=REPO, env=env)
    assert f"aten={aten} mkl=COMPATIBLE" in result.stdout, result.stderr
    assert ("this CPU lacks AVX2" in result.stderr) is (machine == "x86_64" and aten == "unset")


def test_readmes_kernel_by_hand_is_installed_by_the_script_setup_sh_runs():
    # Without bash, learners install the kernel spec with the same script as setup.sh, so that
    # it gets this machine's pins (none typed in the README for a CPU that might lack AVX2).
    readme = (REPO / "README.md").read_text()
    assert "ipykernel install" not in readme and "--env ATEN_CPU_CAPABILITY" not in readme
    assert "python scripts/kernel.py" in readme and "python scripts\\kernel.py" in readme
    assert ".venv/bin/python scripts/kernel.py" in (REPO / "scripts" / "setup.sh").read_text()


def _section(document, heading):
    """The text of `document` (a file at the repository root) under `heading`, up to the next
    heading of its level or above."""
    text = (REPO / document).read_text(encoding="utf-8")
    level = len(heading) - len(heading.lstrip("#"))
    after = text[text.index(heading) + len(heading):]
    return heading + re.split(rf"\n#{{1,{level}}} ", after, maxsplit=1)[0]


def test_readmes_apt_get_lines_install_every_package_the_install_scripts_want():
    before_you_start = _section("README.md", "### Before you start")
    named = {word for line in re.findall(r"apt-get install ([^`\n]+)", before_you_start)
             for word in line.split() if not word.startswith("-")}
    browser = re.findall(r'packages="\$packages (\S+)"', (REPO / "scripts" / "install-browser.sh").read_text())
    libreoffice = re.findall(r'^package="(\S+)"$', (REPO / "scripts" / "install-libreoffice.sh").read_text(), re.M)
    assert len(browser) == 3 and len(libreoffice) == 1
    assert set(browser + libreoffice) | {"python3-venv"} <= named, (
        f"the apt-get lines of the README's 'Before you start' name {sorted(named)}")


def _tools(folder, fakes, real=("dirname", "cat")):
    """`folder` as a PATH of its own: shell scripts named as `fakes` maps them to their
    bodies, and links to the real `real` programs."""
    for name, body in fakes.items():
        _sh(folder / name, body)
    for name in real:
        (folder / name).symlink_to(shutil.which(name))
    return folder


def _apt_run(tmp_path, update):
    """install-libreoffice.sh run as root with a fake apt-get whose `update` runs the shell
    code `update` and whose install fails: the result, and the file that records each call."""
    asked = tmp_path / "asked"
    tools = _tools(tmp_path / "bin", {
        "id": "echo 0\n",
        "sleep": "exit 0\n",
        "apt-get": f'echo "$*" >> {asked}\ncase "$*" in *update*) {update};; esac\n'
                   'echo "E: Unable to locate package libreoffice-calc-nogui" >&2\nexit 100\n',
    })
    script = REPO / "scripts" / "install-libreoffice.sh"
    return run([shutil.which("bash"), script], env={**os.environ, "PATH": str(tools)}), asked


def test_apt_get_waits_out_the_lock_a_machine_just_started_holds(tmp_path):
    # As root on a machine just started, apt's locks were often taken by its own updates: the
    # script stopped at once on "Could not get lock", with nothing of its own to say.
    held = tmp_path / "held-once"
    locked = (f'if [ ! -e {held} ]; then : > {held}; echo "E: Could not get lock /var/lib/apt/lists/lock" >&2; '
              "exit 100; fi; exit 0")
    result, asked = _apt_run(tmp_path, locked)
    calls = asked.read_text().splitlines()
    assert [call.split()[-1] for call in calls] == ["update", "update", "libreoffice-calc-nogui"], calls
    assert calls[-1].startswith("-o DPkg::Lock::Timeout=300 -q install -y --no-install-recommends")
    assert result.returncode == 1
    stopped = "install-libreoffice: apt-get could not install libreoffice-calc-nogui (apt's"
    assert stopped in result.stderr, result.stderr


def test_apt_get_update_failing_otherwise_says_so_at_once(tmp_path):
    offline = 'echo "E: Failed to fetch: Could not resolve deb.debian.org" >&2; exit 100'
    result, asked = _apt_run(tmp_path, offline)
    assert asked.read_text().count("update") == 1
    assert result.returncode == 1
    assert "Could not resolve" in result.stderr and "install-libreoffice: apt-get update failed" in result.stderr
    assert "apt-get install -y --no-install-recommends libreoffice-calc-nogui" in result.stderr


def test_readmes_colab_section_names_the_release_config_gives():
    # The launch buttons and first cells install that release: a new one must be read into
    # what the README says of them.
    assert f"`{config()['repository']['branch']}`" in _section("README.md", "#### In Colab")


def test_kernel_py_installs_the_spec_with_this_machines_pins_and_mends_a_stale_one(tmp_path):
    command = [sys.executable, str(REPO / "scripts" / "kernel.py"), "--prefix", str(tmp_path)]
    first = run(command, cwd=tmp_path)
    assert first.returncode == 0 and "kernel: installed 'Python 3 (lesson5)'" in first.stdout, first.stderr
    path = tmp_path / "share" / "jupyter" / "kernels" / "python3" / "kernel.json"
    spec = json.loads(path.read_text())
    assert spec["env"] == reference_machine.pins() and spec["display_name"] == "Python 3 (lesson5)"
    assert spec["argv"][0] == sys.executable
    assert run(command, cwd=tmp_path).stdout == ""  # current: left alone
    path.write_text(json.dumps({**spec, "env": {**spec["env"], "ATEN_CPU_CAPABILITY": "avx512"}}))
    assert "kernel: installed" in run(command, cwd=tmp_path).stdout
    assert json.loads(path.read_text())["env"] == reference_machine.pins()
    # A spec that starts a Python elsewhere (a .venv moved with its clone) is rewritten too.
    path.write_text(json.dumps({**spec, "argv": ["/elsewhere/.venv/bin/python", *spec["argv"][1:]]}))
    assert "kernel: installed" in run(command, cwd=tmp_path).stdout
    assert json.loads(path.read_text())["argv"][0] == sys.executable
    # So is one an older ipykernel wrote, which said nothing of encryption, or launched it
    # otherwise: an upgrade with the requirements left it as it was.
    older = {**spec, "metadata": {"debugger": True}, "kernel_protocol_version": "5.3"}
    for stale in (older, {**spec, "argv": [sys.executable, "-m", "ipykernel", "-f", "{connection_file}"]}):
        path.write_text(json.dumps(stale))
        assert "kernel: installed" in run(command, cwd=tmp_path).stdout
        assert json.loads(path.read_text()) == spec
    # A spec of another shape is rewritten too, not met with a traceback.
    for broken in ([], {**spec, "argv": []}, {**spec, "argv": "python"}):
        path.write_text(json.dumps(broken))
        mended = run(command, cwd=tmp_path)
        assert "kernel: installed" in mended.stdout and "Traceback" not in mended.stderr, mended.stderr
        assert json.loads(path.read_text())["argv"][0] == sys.executable


@pytest.mark.skipif(not zmq.has("curve"), reason="this pyzmq cannot encrypt (no CurveZMQ)")
def test_kernel_py_has_jupyterlab_encrypt_its_kernels_keeping_other_server_settings(tmp_path):
    settings = tmp_path / "etc" / "jupyter" / "jupyter_server_config.json"
    settings.parent.mkdir(parents=True)
    before = {"ServerApp": {"port": 8899}, "MappingKernelManager": {"transport_encryption": "disabled",
                                                                     "cull_idle_timeout": 600}}
    settings.write_text(json.dumps(before))
    command = [sys.executable, str(REPO / "scripts" / "kernel.py"), "--prefix", str(tmp_path)]
    assert "transport_encryption='auto'" in run(command, cwd=tmp_path).stdout
    after = json.loads(settings.read_text())
    assert after == {"ServerApp": {"port": 8899},
                     "MappingKernelManager": {"transport_encryption": "auto", "cull_idle_timeout": 600}}
    # Read as JupyterLab reads its settings: this folder comes before .venv's, which says "auto"
    # too, so the "disabled" written before would show here had it been left.
    check = ("from jupyter_server.serverapp import ServerApp; app = ServerApp(); "
             "app.initialize(['--no-browser', '--port=0']); print(app.kernel_manager.transport_encryption)")
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(settings.parent), "JUPYTER_RUNTIME_DIR": str(tmp_path / "run")}
    assert run([sys.executable, "-c", check], cwd=tmp_path, env=env).stdout.split()[-1] == "auto"
    assert "transport_encryption" not in run(command, cwd=tmp_path).stdout  # set already: left alone
    # A stricter choice someone made is kept.
    settings.write_text(json.dumps({"MappingKernelManager": {"transport_encryption": "required"}}))
    assert run(command, cwd=tmp_path).returncode == 0
    assert json.loads(settings.read_text())["MappingKernelManager"]["transport_encryption"] == "required"
    for broken in ("{not json", "[]", '{"MappingKernelManager": "auto"}'):
        settings.write_text(broken)
        result = run(command, cwd=tmp_path)
        assert result.returncode == 1 and f"{settings} is not the JSON of Jupyter server settings" in result.stderr
        assert settings.read_text() == broken  # never overwritten


def test_kernel_py_says_so_when_it_cannot_read_the_server_settings_and_goes_on(tmp_path):
    # A folder where the settings file goes stands in for a file it may not read (the tests
    # may run as root, whom permissions do not stop).
    (tmp_path / "etc" / "jupyter" / "jupyter_server_config.json").mkdir(parents=True)
    result = run([sys.executable, str(REPO / "scripts" / "kernel.py"), "--prefix", str(tmp_path)], cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "kernel: could not read" in result.stderr and "kernel: installed" in result.stdout


@pytest.mark.skipif(not zmq.has("curve"), reason="this pyzmq cannot encrypt (no CurveZMQ)")
def test_kernel_py_cut_short_writing_the_server_settings_leaves_them_as_they_were(tmp_path):
    # Written in place, a full disk left a truncated file that every later run refused.
    kernel_py = [sys.executable, str(REPO / "scripts" / "kernel.py"), "--prefix", "."]
    assert run(kernel_py, cwd=tmp_path).returncode == 0  # the kernel's spec, current from now on
    settings = tmp_path / "etc" / "jupyter" / "jupyter_server_config.json"
    before = json.dumps({"ServerApp": {"notebook_dir": "x" * 4000},
                         "MappingKernelManager": {"transport_encryption": "disabled"}})
    settings.write_text(before)
    # A file size limit of 2 KiB, as a disk that fills up during the write.
    command = f"ulimit -f 2; exec {shlex.join(kernel_py)}"
    result = run(["bash", "-c", command], cwd=tmp_path)
    assert "could not write" in result.stderr and "unencrypted" in result.stderr, result.stderr
    assert settings.read_text() == before
    assert sorted(p.name for p in settings.parent.iterdir()) == [settings.name]


# --- scripts/setup.sh: refuses an old Python before building anything ---------------------


def _old_python(tmp_path):
    """A Python 3.10, which records in the file returned beside it that it was run."""
    ran = tmp_path / "ran-3.10"
    fake = _sh(
        tmp_path / "python3.10",
        f'echo "$*" >> {ran}\n'
        'if [ "$1" = --version ]; then echo "Python 3.10.14"; exit 0; fi\n'
        "exit 1\n",  # the version check (-c 'sys.exit(version < 3.11)') fails
    )
    return fake, ran


def test_setup_refuses_python_older_than_3_11_to_make_venv(tmp_path):
    _setup_clone(tmp_path, "requirements.txt", "code/pyproject.toml")
    fake, _ = _old_python(tmp_path)
    result = run(["bash", tmp_path / "scripts" / "setup.sh"], env={**os.environ, "PYTHON": str(fake)})
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr
    assert "Python 3.10.14" in result.stderr
    assert not (tmp_path / ".venv").exists()


def test_setup_with_a_working_venv_needs_no_python_3_11_beside_it(tmp_path):
    # Ubuntu 22.04's python3 is 3.10: a learner who made .venv once with PYTHON=python3.11 was
    # refused on every later run without it, though .venv has its own Python.
    clone = tmp_path / "clone"
    _setup_clone(clone, "requirements.txt", "code/pyproject.toml")
    files = ("requirements.txt", "code/pyproject.toml", "scripts/setup.sh")
    installed = hashlib.sha256(b"".join((clone / name).read_bytes() for name in files)).hexdigest()
    _sh(clone / ".venv" / "bin" / "python",
        f'case "$*" in *find_spec*) echo "{clone.resolve()}/code/lesson5/__init__.py";;\n'
        f'  *hashlib*) exec {sys.executable} "$@";; esac\nexit 0\n')
    (clone / ".venv" / ".installed-requirements").write_text(installed + "\n")
    fake, ran = _old_python(tmp_path)
    result = run(["bash", clone / "scripts" / "setup.sh"], cwd=clone, env={**os.environ, "PYTHON": str(fake)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installing" not in result.stdout and not ran.exists()


def test_two_setups_at_once_make_venv_once(tmp_path):
    # Started together, both runs found no .venv, and the second deleted the first's half-made one.
    if not shutil.which("flock"):
        pytest.skip("no flock here (macOS): setup.sh runs are not kept apart")
    clone = tmp_path / "clone"
    _setup_clone(clone, "requirements.txt", "code/pyproject.toml")
    made = tmp_path / "made"
    venv_python = _sh(
        tmp_path / "venv-python",
        f'case "$*" in *find_spec*) echo "{clone.resolve()}/code/lesson5/__init__.py";;\n'
        f'  *hashlib*) exec {sys.executable} "$@";; esac\nexit 0\n',
    )
    system = _sh(tmp_path / "python3.12", (
        f'case "$*" in "-m venv .venv") echo made >> {made}; sleep 2\n'
        f"  mkdir -p .venv/bin && cp {venv_python} .venv/bin/python;; esac\nexit 0\n"
    ))
    env = {**os.environ, "PYTHON": str(system)}
    first = subprocess.Popen(["bash", clone / "scripts" / "setup.sh"], cwd=clone, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # The second starts once the first is making .venv, however slowly the first got there.
    said = first.stdout.readline()
    assert "creating .venv" in said, said
    second = run(["bash", clone / "scripts" / "setup.sh"], cwd=clone, env=env)
    first_output, _ = first.communicate(timeout=60)
    assert first.returncode == 0 and second.returncode == 0, first_output + second.stdout + second.stderr
    assert "waiting for it to finish" in second.stdout
    assert made.read_text() == "made\n"
    assert "installing" not in second.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="sudo starts scripts as root: this test must run as root")
def test_setup_started_with_sudo_in_a_users_clone_stops_before_making_anything(tmp_path):
    # Everything it made (.venv, the data's cache, node_modules) belonged to root, and the
    # user's next run failed on it.
    clone = tmp_path / "clone"
    _setup_clone(clone)
    os.chown(clone, 12345, 12345)
    system, asked = _system_python(tmp_path)
    env = {**os.environ, "SUDO_USER": "learner", "SUDO_UID": "12345", "PYTHON": str(system)}
    result = run(["bash", clone / "scripts" / "setup.sh"], cwd=clone, env=env)
    assert result.returncode == 1
    assert "started with sudo in a clone that belongs to learner" in result.stderr, result.stderr
    assert not (clone / ".venv").exists() and not asked.exists()
    # Nor is sudo in a clone of root's own: what it makes belongs to its owner.
    os.chown(clone, 0, 0)
    result = run(["bash", clone / "scripts" / "setup.sh"], cwd=clone, env=env)
    assert "started with sudo" not in result.stderr and asked.exists(), result.stderr


def test_setup_finds_its_clone_whatever_cdpath_says(tmp_path):
    # With CDPATH exported, `cd scripts/..` looked along it first, and a folder there holding a
    # scripts/ of its own was taken for the clone: its .venv, here one made by Windows.
    clone, decoy = tmp_path / "clone", tmp_path / "decoy"
    _setup_clone(clone)
    (decoy / "scripts").mkdir(parents=True)
    (decoy / ".venv" / "Scripts").mkdir(parents=True)
    system, asked = _system_python(tmp_path)
    env = {**os.environ, "CDPATH": str(decoy), "PYTHON": str(system)}
    result = run(["bash", "scripts/setup.sh"], cwd=clone, env=env)
    assert "made by Windows' Python" not in result.stderr, result.stderr
    assert "creating .venv" in result.stdout and asked.read_text().split() == ["-m", "venv", ".venv"]


def test_every_script_finds_the_repository_root_as_setup_sh_does():
    # One way to do it, so that each keeps setup.sh's guard against an exported CDPATH.
    root = 'CDPATH=\'\' cd -- "$(dirname -- "$0")/.."'
    scripts = [*sorted((REPO / "scripts").glob("*.sh")), REPO / ".ci" / "run"]
    moving = [path for path in scripts if re.search(r"^\S*\s*cd .*dirname", path.read_text(), re.M)]
    assert len(moving) >= 10, moving
    assert [path.name for path in moving if root not in path.read_text()] == []


def test_setup_rebuilds_a_venv_left_without_pip(tmp_path):
    # What a first run leaves where python3-venv is missing: .venv/bin/python, but no pip.
    _setup_clone(tmp_path)
    venv_python = _sh(tmp_path / ".venv" / "bin" / "python", 'if [ "$1" = -m ]; then exit 1; fi\nexit 0\n')  # no pip
    system, asked = _system_python(tmp_path)
    result = run(["bash", tmp_path / "scripts" / "setup.sh"], env={**os.environ, "PYTHON": str(system)})
    assert ".venv has no pip" in result.stdout
    assert not venv_python.exists()
    assert asked.read_text().split() == ["-m", "venv", ".venv"]


def test_setup_leaves_a_venv_made_by_windows_python_alone(tmp_path):
    # A clone shared by Windows (README, "By hand, on Windows") and WSL: Windows' Python made
    # .venv with Scripts\ and no bin/. Rebuilt as broken, it would be lost to Windows.
    _setup_clone(tmp_path)
    windows_python = tmp_path / ".venv" / "Scripts" / "python.exe"
    windows_python.parent.mkdir(parents=True)
    windows_python.write_text("MZ")
    system, asked = _system_python(tmp_path)
    result = run(["bash", tmp_path / "scripts" / "setup.sh"], env={**os.environ, "PYTHON": str(system)})
    assert result.returncode == 1
    assert "made by Windows' Python" in result.stderr and "delete .venv" in result.stderr
    assert windows_python.read_text() == "MZ" and not asked.exists()


@pytest.mark.parametrize("torch_pinned, pip_config, warned", [
    (True, "", False),
    (False, "", True),
    # pip told where to look, in pip.conf or a PIP_* variable, as `pip config list` shows them.
    (False, "global.find-links='/opt/wheels'", False),
    (False, ":env:.index-url='https://download.pytorch.org/whl/cpu'", False),
    (False, "global.cert='/etc/ssl/certs/ca-certificates.crt'", True),
])
def test_setup_warns_of_pytorchs_cuda_build_only_where_pip_will_fetch_pytorch(tmp_path, torch_pinned, pip_config,
                                                                              warned):
    pin = re.search(r"^torch==(\S+)", (REPO / "requirements.txt").read_text(), re.M).group(1)
    installed = f"{pin}+cpu" if torch_pinned else "2.0.0"
    # A reinstall after a change to requirements.txt keeps an installed torch of the pinned
    # version (a CPU build too): the warning of a download of several GB misled there.
    _setup_clone(tmp_path, "requirements.txt", "code/pyproject.toml")
    # Every other call succeeds (pip, the kernel); setup.sh's check of the installed torch runs
    # in this Python, which finds the torch given here first.
    site = tmp_path / "site" / f"torch-{installed}.dist-info"
    site.mkdir(parents=True)
    (site / "METADATA").write_text(f"Metadata-Version: 2.1\nName: torch\nVersion: {installed}\n")
    check = (f'case "$*" in *importlib.metadata*) PYTHONPATH={site.parent} exec {sys.executable} "$@";;\n'
             f'  *hashlib*) exec {sys.executable} "$@";; esac')
    config = f'case "$*" in *"pip config list"*) echo "{pip_config}";; esac'
    _sh(tmp_path / ".venv" / "bin" / "python", f"{check}\n{config}\nexit 0\n")
    tools = _sh(tmp_path / "bin" / "uname", "echo Linux\n").parent
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    env.update(PYTHON=sys.executable, PATH=f"{tools}{os.pathsep}{os.environ['PATH']}")
    result = run(["bash", tmp_path / "scripts" / "setup.sh"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "installing requirements.txt" in result.stdout
    assert ("PyTorch's CUDA build" in result.stdout) is warned, result.stdout


@pytest.mark.parametrize("origin, rebuilt", [("/elsewhere/code/lesson5/__init__.py", True), ("", True),
                                             ("{clone}/code/lesson5/__init__.py", False)])
def test_setup_rebuilds_a_venv_from_another_clone_and_keeps_one_reached_through_a_link(origin, rebuilt, tmp_path):
    # A .venv copied with its clone imports the package from where it was made, or from nowhere
    # once that is gone. The clone here is reached through a symbolic link, as a macOS /tmp or a
    # linked home folder is: the install records the real path, which must count as this clone.
    clone = tmp_path / "real"
    _setup_clone(clone)
    (tmp_path / "link").symlink_to(clone)
    found = origin.format(clone=clone)
    venv_python = _sh(clone / ".venv" / "bin" / "python", f'case "$*" in *find_spec*) echo "{found}";; esac\nexit 0\n')
    (clone / ".venv" / ".installed-requirements").write_text("an earlier install\n")
    system, asked = _system_python(tmp_path)
    link = tmp_path / "link"
    result = run(["bash", link / "scripts" / "setup.sh"], cwd=link,
                 env={**os.environ, "PYTHON": str(system), "PWD": str(link)})
    assert ("made for a clone elsewhere" in result.stdout) is rebuilt, result.stdout + result.stderr
    assert venv_python.exists() is not rebuilt
    if rebuilt:
        assert (found or "not found") in result.stdout and asked.read_text().split() == ["-m", "venv", ".venv"]


def _system_python(tmp_path):
    """A Python 3.12 for setup.sh to make .venv with: it passes the version check, writes what
    it is asked to run with -m (making .venv) to the file returned beside it and fails there,
    and fails at the stamp's hash, so that setup.sh stops before installing anything."""
    asked = tmp_path / "asked"
    system = _sh(
        tmp_path / "python3.12",
        'if [ "$1" = --version ]; then echo "Python 3.12.0"; exit 0; fi\n'
        f'if [ "$1" = -m ]; then echo "$*" > {asked}; exit 1; fi\n'
        'case "$*" in *hashlib*) exit 1;; esac\n'
        "exit 0\n",
    )
    return system, asked


def _setup_clone(root, *others):
    """`root` made a clone holding scripts/setup.sh and the repository's files `others`."""
    for name in ("scripts/setup.sh", "scripts/system.sh", *others):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, root / name)


def _sh(path, body):
    """`path`, its folders made, as an executable shell script running `body`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}")
    path.chmod(0o755)
    return path


def test_setup_names_a_missing_python(tmp_path):
    _setup_clone(tmp_path)
    result = run(["bash", tmp_path / "scripts" / "setup.sh"], env={**os.environ, "PYTHON": "no-such-python"})
    assert result.returncode == 1
    assert "no 'no-such-python' on PATH" in result.stderr


@pytest.fixture
def setups_venv():
    """Skips a test of what setup.sh installed where the tests do not run in the .venv it made."""
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip("not running in the checkout's .venv, which setup.sh made")


@pytest.mark.usefixtures("setups_venv")
@pytest.mark.parametrize(
    "module", ["torch", "torch.nn.modules.conv", "pandas", "matplotlib.pyplot", "sphinx.application", "nbformat"]
)
def test_setup_leaves_the_installed_modules_compiled(module):
    # setup.sh compiles them itself (pip --no-compile, then compileall on every core); where
    # PYTHONDONTWRITEBYTECODE is set, a module it missed would be compiled again by every process.
    origin = importlib.util.find_spec(module).origin
    assert Path(importlib.util.cache_from_source(origin)).is_file(), f"{origin} has no bytecode"


@pytest.mark.usefixtures("setups_venv")
def test_setup_leaves_out_the_iri_parser_that_cost_every_nbformat_import_a_second():
    child = run([sys.executable, "-c", "import sys, nbformat; print(sorted(m for m in sys.modules if 'rfc3987' in m))"])
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "[]", f"importing nbformat imported {child.stdout.strip()}"


# --- scripts/test.sh: stopping a job it runs beside the build stops what the job started ---


def _alive(pid):
    # A killed process whose parent is gone waits, as a zombie, for PID 1 to reap it; in a
    # container PID 1 may never do so.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_stopping_a_background_job_of_test_sh_stops_its_children_without_setsid(tmp_path):
    # macOS has no setsid command; test.sh's unit tests and JupyterLab checks start children
    # (pytest's, LibreOffice) that a failed run must not leave running.
    script = (REPO / "scripts" / "test.sh").read_text()
    start = re.search(r"^in_background\(\) \{\n.*?^\}\n", script, re.M | re.S).group()
    stop = re.search(r'^ *kill -TERM -- "-\$job".*$', script, re.M).group()
    child = tmp_path / "child"
    bash = (
        f"{start}in_background bash -c 'sleep 300 >/dev/null 2>&1 & echo $! > {child}; wait'\njob=$!\n"
        f"while [ ! -s {child} ]; do sleep 0.1; done\n{stop}\nwait \"$job\"\n"
    )
    # A PATH with this Python and only what the lines above call: no setsid, as on macOS.
    tools = tmp_path / "bin"
    tools.mkdir()
    for name, target in [("python", sys.executable), ("bash", shutil.which("bash")), ("sleep", shutil.which("sleep"))]:
        (tools / name).symlink_to(target)
    result = run([tools / "bash", "-c", bash], env={**os.environ, "PATH": str(tools)})
    grandchild = int(child.read_text())
    # A process sent SIGTERM ends when it is next scheduled: later on a busy machine.
    deadline = time.monotonic() + 10
    while (left_running := _alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if left_running:
        os.kill(grandchild, signal.SIGKILL)
    assert result.returncode != 0, "the job was not stopped"
    assert not left_running, "the job's child still runs after the job was stopped"


# --- the bootstrap cell in a Python without the package (the Colab path) ------------------


@pytest.fixture(scope="module")
def clone_at_release(tmp_path_factory):
    """A clone of this repository's last commit, tagged with the release the cells name,
    reached through a file:// URL as Colab reaches the real repository over https."""
    if run(["git", "-C", REPO, "rev-parse", "HEAD"]).returncode != 0:
        pytest.skip("not a git checkout")
    clone = tmp_path_factory.mktemp("repo") / "lesson5"
    assert run(["git", "clone", "--quiet", "--no-local", REPO, clone]).returncode == 0
    tag = config()["repository"]["branch"]
    run(["git", "-C", clone, "tag", "-d", tag])
    assert run(["git", "-C", clone, "tag", tag]).returncode == 0
    return clone


def test_bootstrap_cell_installs_the_package_outside_the_checkout(tmp_path, clone_at_release):
    """A fresh virtual environment that sees this environment's libraries (torch, pandas,
    IPython, pip, setuptools ...) through a .pth line, but not the package: site-packages' own .pth files are
    not processed for a directory added that way, so the editable lesson5 stays invisible.
    It runs chapter 01's bootstrap cell and import cell in IPython from a folder outside the
    checkout, with pip kept off the network (no index, no build isolation).

    Not covered: the real Colab image, its preinstalled versions and pip's download of the
    package from the public repository over https.
    """
    out, site = _run_bootstrap(tmp_path, f"file://{clone_at_release}")
    installed = Path(site, "lesson5")
    assert f"lesson5 from {installed}/__init__.py" in out, out
    assert "'mnist'" in out, out


def test_bootstrap_cell_installs_the_package_beside_a_folder_named_lesson5(tmp_path, clone_at_release):
    # A learner's `git clone ... lesson5` in Colab's working folder: Python finds that folder as
    # a package with no code, and the cell took it for the installed package, so the imports
    # after it failed with "cannot import name ... (unknown location)".
    (tmp_path / "lesson5").mkdir()
    out, site = _run_bootstrap(tmp_path, f"file://{clone_at_release}")
    assert f"lesson5 from {Path(site, 'lesson5')}/__init__.py" in out, out


def test_a_failed_install_stops_the_bootstrap_cell_with_a_clear_error(tmp_path):
    # %pip reports pip's failure but does not raise; the cell must, before the imports do.
    out, _ = _run_bootstrap(tmp_path, f"file://{tmp_path}/no-such-repository")
    assert "pip did not install lesson5 from file://" in out and "ModuleNotFoundError" in out, out
    assert "manifest datasets" not in out  # the cells after it never ran


def _run_bootstrap(tmp_path, repository):
    """Chapter 01's bootstrap and import cells, run in IPython by a fresh virtual environment
    that sees this environment's libraries but not the package (see the test above), with
    LESSON5_REPOSITORY set to `repository`: the output, and the new environment's site-packages."""
    venv = tmp_path / "venv"
    # Without pip of its own: pip and setuptools come from this environment too.
    assert run([sys._base_executable, "-m", "venv", "--without-pip", venv]).returncode == 0
    site = run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    Path(site.stdout.strip(), "course-libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    absent = run([venv / "bin" / "python", "-m", "IPython", "-c", "import lesson5.download"], cwd=tmp_path,
                 env={**os.environ, "VIRTUAL_ENV": str(venv)})
    assert "No module named 'lesson5" in absent.stdout + absent.stderr

    cells = [c for c in nbformat.read(REPO / "book" / "01_data.ipynb", as_version=4).cells if c.cell_type == "code"]
    bootstrap, imports = cells[0], cells[1]
    assert bootstrap.get("id") == "bootstrap"
    script = tmp_path / "chapter.ipy"
    script.write_text(
        f"{bootstrap.source}\n\n{imports.source}\n\n"
        "import lesson5, lesson5.download\n"
        "print('lesson5 from', lesson5.__file__)\n"
        "print('manifest datasets', sorted(lesson5.download.load_manifest()))\n"
    )
    env = {
        **os.environ,
        "LESSON5_REPOSITORY": repository,
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # IPython adds $VIRTUAL_ENV's site-packages, .pth files and all: make it the new one.
        "VIRTUAL_ENV": str(venv),
    }
    env.pop("PYTHONPATH", None)
    result = run([venv / "bin" / "python", "-m", "IPython", "--quick", "--no-banner", script], cwd=tmp_path, env=env)
    return result.stdout + result.stderr, site.stdout.strip()


# Versions a Colab runtime pins through its own google-colab package (its requirements, as
# reported in googlecolab/colabtools#2837 and still on the 2026 runtimes): installing the
# package must not move them, or the running runtime has to restart, and may break.
COLAB_PINS = {"ipython": "7.34.0"}


def test_the_package_keeps_colabs_pinned_versions():
    project = tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]
    requirements = {Requirement(line).name.lower(): Requirement(line) for line in project["dependencies"]}
    for name, version in COLAB_PINS.items():
        assert requirements[name].specifier.contains(version), (
            f"code/pyproject.toml asks for {requirements[name]}, which Colab's {name} {version} does not satisfy")


def test_every_library_the_package_imports_comes_with_its_dependencies():
    # requirements.txt installs every library in the checkout and in CI; in Colab the package is
    # installed alone, with code/pyproject.toml's dependencies, and one missing there would fail
    # a chapter at import in Colab only.
    from importlib import metadata

    from packaging.utils import canonicalize_name

    declared = [Requirement(line).name for line in
                tomllib.loads((REPO / "code" / "pyproject.toml").read_text())["project"]["dependencies"]]
    # What installing those brings, as installed here (contourpy comes with matplotlib, say).
    brought, waiting = set(), [canonicalize_name(name) for name in declared]
    while waiting:
        name = waiting.pop()
        if name not in brought:
            brought.add(name)
            requirements = map(Requirement, metadata.requires(name) or [])
            waiting += [canonicalize_name(r.name) for r in requirements
                        if r.marker is None or r.marker.evaluate({"extra": ""})]
    imported = set()
    for path in (REPO / "code" / "lesson5").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    libraries = sorted(imported - set(sys.stdlib_module_names) - {"lesson5"})
    assert {"torch", "numpy", "pandas"} <= set(libraries)
    distributions = metadata.packages_distributions()
    missing = [module for module in libraries
               if not {canonicalize_name(d) for d in distributions.get(module, [])} & brought]
    assert not missing, (f"the package imports {missing}, which code/pyproject.toml's dependencies do not "
                         "bring: add each library there, with a lower bound (CONTRIBUTING.md, Dependencies)")


# --- the maps of the repository (README, CONTRIBUTING) ------------------------------------


@pytest.mark.parametrize("document, heading", [("README.md", "## What is where"),
                                               ("CONTRIBUTING.md", "## Where things go")])
def test_the_maps_name_every_script_and_top_level_folder(document, heading):
    table = _section(document, heading)
    listed = run(["git", "ls-files"], cwd=REPO)
    if listed.returncode != 0 or not listed.stdout:
        pytest.skip("not a git checkout: which files are the project's is git's to say")
    tracked = listed.stdout.split()
    scripts = {Path(p).name for p in tracked if p.startswith("scripts/")}
    folders = {p.split("/")[0] for p in tracked if "/" in p and not p.startswith(".")}
    missing = sorted(f"`{name}`" for name in scripts if f"`{name}`" not in table)
    missing += sorted(f"`{name}/`" for name in folders if f"`{name}/" not in table)
    assert not missing, f"{document}'s {heading[3:]!r} does not name {missing}"


def test_the_packages_map_lists_every_module_with_the_chapters_its_docstring_names():
    package = REPO / "code" / "lesson5"
    named, unknown = {}, {}
    chapter_paths = {path.relative_to(REPO).as_posix() for path in chapters()}
    for path in package.rglob("*.py"):
        if path != package / "__init__.py":
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            paths = set(re.findall(r"book/\d\d_\w+\.ipynb", docstring))
            # A path misspelt keeps its number: it is checked whole.
            module = path.relative_to(package).as_posix()
            unknown.update({module: sorted(paths - chapter_paths)} if paths - chapter_paths else {})
            named[module] = ", ".join(sorted(p[5:7] for p in paths))
    rows = re.findall(r"^\| `([\w/]+\.py)` \| .+ \| ([\d, ]*) \|$",
                      (REPO / "code" / "README.md").read_text(encoding="utf-8"), flags=re.M)
    assert all(named.values()), f"docstrings that name no chapter: {[m for m, c in named.items() if not c]}"
    assert not unknown, f"docstrings that name a chapter _toc.yml does not list: {unknown}"
    wrong = {module: chapters for module, chapters in named.items() if dict(rows).get(module) != chapters}
    extra = sorted(set(dict(rows)) - set(named))
    fixes = [f"give `{m}` a row whose last column is {c!r}" for m, c in sorted(wrong.items())]
    fixes += [f"remove the row of `{m}`, which is no module" for m in extra]
    assert not fixes, "code/README.md's table and the modules' docstrings disagree: " + "; ".join(fixes)
    assert len(rows) == len(named), "a module is listed twice in code/README.md"


def test_every_shell_script_is_marked_for_unix_line_endings_and_has_them():
    # .gitattributes: a Windows line ending inside a bash script fails its first command.
    if run(["git", "rev-parse", "--is-inside-work-tree"], cwd=REPO).returncode != 0:
        pytest.skip("not a git checkout (a release archive): no attributes to read")
    scripts = subprocess.run(["git", "ls-files", "*.sh", ".ci/run"], cwd=REPO, capture_output=True,
                             text=True, check=True).stdout.split()
    assert "scripts/build.sh" in scripts and ".ci/run" in scripts
    attrs = subprocess.run(["git", "check-attr", "eol", "--", *scripts], cwd=REPO, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert attrs == [f"{path}: eol: lf" for path in scripts]
    assert not [path for path in scripts if b"\r" in (REPO / path).read_bytes()]


BASH_SCRIPTS = sorted(path.relative_to(REPO).as_posix() for path in (REPO / "scripts").glob("*.sh")
                      if "set -euo pipefail" in path.read_text())


@pytest.mark.parametrize("script", BASH_SCRIPTS)
def test_a_bash_script_started_with_sh_says_to_use_bash(script):
    # dash, Debian's and Ubuntu's sh, stopped at "set: Illegal option -o pipefail".
    _installed("dash")
    result = run(["dash", script], cwd=REPO)
    assert result.returncode == 2
    assert result.stderr.strip() == f"{script} is a bash script: run it as  bash {script}"


def test_the_bash_scripts_are_the_ones_the_readme_starts():
    assert {"scripts/build.sh", "scripts/test.sh", "scripts/lab.sh", "scripts/setup.sh"} <= set(BASH_SCRIPTS)


@pytest.mark.parametrize("builder", [None, "latex"])
def test_sphinx_build_sh_without_a_builder_it_runs_says_which_it_takes(builder):
    # Run bare, it stopped at "$1: unbound variable".
    result = run(["bash", "scripts/sphinx_build.sh", *([builder] if builder else [])], cwd=REPO)
    assert result.returncode == 2
    assert f"usage: bash scripts/sphinx_build.sh html|singlehtml (the builder; got '{builder or ''}')" in result.stderr
