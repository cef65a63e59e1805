"""A learner's first run: the README's `bash scripts/lab.sh` serves JupyterLab on 127.0.0.1,
headless Chromium opens chapter 01, runs every cell from the Run menu, and every cell must
finish without an error, in the project's kernel, showing each value the chapter's prose names
(`lesson5.glue` prints them where the site build is not there to fill them in).

The server gets a settings folder of its own that turns autosave off, so running the chapter
never rewrites the notebook in book/ (the test checks that too).
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from site_pages import REPO

from scripts import reference_machine

CHAPTER = "01_data.ipynb"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url):
    # Generous, as every wait here: JupyterLab starts beside the site build on a busy machine.
    with urlopen(url, timeout=30) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started by scripts/lab.sh; yields (base_url, token, its home folder), where
    lab.log holds its output and runtime/ its kernels' connection files."""
    home = tmp_path_factory.mktemp("lab-home")
    settings = home / "settings"
    for plugin, values in {
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
        # Every cell in the page, so the test sees all of them.
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # A learner's shell does not turn progress off, as the test command's does.
        "LESSON5_PROGRESS": "1",
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    args = [
        "bash", str(REPO / "scripts" / "lab.sh"),
        "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
        f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
    ]
    log = (home / "lab.log").open("w")
    # A session of its own, so that stopping it stops its kernels too.
    server = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    def log_tail():
        return (home / "lab.log").read_text()[-3000:]

    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if server.poll() is not None:
                pytest.fail(f"scripts/lab.sh exited with {server.returncode}:\n{log_tail()}")
            try:
                _get_json(f"{base}/api/status?token={token}")
                break
            except (URLError, ConnectionError, OSError):
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer within 180 s:\n{log_tail()}")
        yield base, token, home
    finally:
        _stop(server)
        log.close()


def _stop(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def test_lab_offers_the_project_kernel(lab):
    base, token, _ = lab
    specs = _get_json(f"{base}/api/kernelspecs?token={token}")
    spec = specs["kernelspecs"]["python3"]["spec"]
    assert spec["display_name"] == "Python 3 (lesson5)"
    assert Path(spec["argv"][0]).parent == REPO / ".venv" / "bin"
    # The chapters' pinned code paths (scripts/env.sh): ATen's on x86-64 only.
    assert spec["env"] == reference_machine.pins()


_CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = [];
  for (const cell of panel.content.model.cells) {
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    cells.push({count: cell.executionCount,
                errors: outputs.filter((o) => o.output_type === 'error')
                               .map((o) => o.ename + ': ' + o.evalue),
                glued: outputs.filter((o) => o.metadata && o.metadata.scrapbook)
                              .map((o) => o.metadata.scrapbook.name),
                printed: outputs.filter((o) => o.output_type === 'stream')
                                .map((o) => [].concat(o.text).join('')).join('\\n')});
  }
  return {cells: cells, kernel: panel.sessionContext.kernelDisplayName,
          status: panel.sessionContext.kernelDisplayStatus};
}"""


def test_chapter_runs_in_jupyterlab_from_the_run_menu(lab, browser):
    base, token, home = lab
    notebook = REPO / "book" / CHAPTER
    before = notebook.stat().st_mtime_ns
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}", wait_until="load", timeout=120_000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.kernelDisplayStatus === 'idle'",
        timeout=120_000,
    )
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    # The chapter is stored with counts 1..n, what a run gives too: see them cleared first, or
    # a lost click would pass for a run.
    page.wait_for_function(
        f"() => ({_CELLS})().cells.some((c) => c.count === null)", timeout=30_000, polling=100
    )
    page.wait_for_function(
        f"() => {{ const s = ({_CELLS})(); return s.status === 'idle'"
        " && s.cells.every((c) => c.count !== null); }",
        timeout=300_000,
        polling=500,
    )
    state = page.evaluate(_CELLS)
    page.screenshot(path=str(REPO / "_build" / "lab-01_data.png"))
    page.close()
    assert state["kernel"] == "Python 3 (lesson5)"
    assert state["cells"], "no code cells seen"
    errors = [c["errors"] for c in state["cells"] if c["errors"]]
    assert not errors, f"{CHAPTER}: cells raised {errors}"
    counts = [c["count"] for c in state["cells"]]
    assert counts == list(range(1, len(counts) + 1)), f"cells ran out of order: {counts}"
    assert notebook.stat().st_mtime_ns == before, f"running the chapter rewrote book/{CHAPTER}"
    # Every value the prose names is glued, and every glued value is shown as "name: value" by
    # the cell that computes it.
    prose = "".join("".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]
                    if cell["cell_type"] == "markdown")
    named = set(re.findall(r"\{glue:?\w*\}`([^`:]+)", prose))
    glued = {name for c in state["cells"] for name in c["glued"]}
    assert named and named <= glued, f"{CHAPTER}: values the prose names but the run does not glue: {named - glued}"
    unshown = sorted(name for c in state["cells"] for name in c["glued"]
                     if not re.search(rf"^{re.escape(name)}: ", c["printed"], re.M))
    assert not unshown, f"{CHAPTER}: values glued but not shown to the person running it: {unshown}"
    # JupyterLab encrypts what passes between it and the kernel (scripts/kernel.py's server
    # settings), so ipykernel has no warning to print in the learner's terminal.
    connections = [json.loads(f.read_text()) for f in (home / "runtime").glob("kernel-*.json")]
    assert connections and all("curve_publickey" in c for c in connections), connections
    assert "without encryption" not in (home / "lab.log").read_text()
