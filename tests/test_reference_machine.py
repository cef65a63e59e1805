"""Cells tagged machine-dependent are compared only on a machine with the reference arithmetic
(scripts/reference_machine.py, conftest.py); every other cell is compared everywhere."""

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from scripts import reference_machine

ROOT = reference_machine.ROOT


def _cell(source, stored, tags=()):
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(tags)} if tags else {}, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    return cell


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("print(1 + 1)", "3\n", tags=[reference_machine.TAG]),  # stored on "another CPU"
        _cell("print(2)", "2\n"),
        _cell("print(4)", "5\n"),  # wrong on every machine
    ]
    path = folder / "tagged.ipynb"
    nbformat.write(nb, path)
    return path


def _nbval(notebook, tmp_path, fingerprint):
    record = tmp_path / "reference_machine.json"
    record.write_text(json.dumps({"fingerprint": fingerprint, "cpu": "the reference CPU"}))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-p", "conftest", "-p", "no:cacheprovider", "--rootdir", str(ROOT),
         "-c", str(ROOT / "pytest.ini"), "-v", str(notebook)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "LESSON5_REFERENCE_MACHINE": str(record)},
    )


def test_on_the_reference_machine_every_cell_is_compared(notebook, tmp_path):
    result = _nbval(notebook, tmp_path, reference_machine.this_machine()["fingerprint"])
    out = result.stdout
    assert "Cell 0 FAILED" in out and "Cell 1 PASSED" in out and "Cell 2 FAILED" in out, out[-3000:]
    assert "matches the one that stored the outputs (the reference CPU)" in out, out[-3000:]


def test_elsewhere_only_the_tagged_cells_outputs_are_left_uncompared(notebook, tmp_path):
    result = _nbval(notebook, tmp_path, "0" * 16)
    out = result.stdout
    assert "Cell 0 PASSED" in out and "Cell 1 PASSED" in out and "Cell 2 FAILED" in out, out[-3000:]
    assert "differs from the one that stored the outputs (the reference CPU" in out, out[-3000:]
    assert f"cells tagged {reference_machine.TAG!r} run but their outputs are not compared" in out


def test_the_books_record_names_a_fingerprint_and_a_cpu():
    record = reference_machine.stored()
    assert len(record["fingerprint"]) == 16 and int(record["fingerprint"], 16) >= 0
    assert record["cpu"]


def test_only_cells_of_chapters_are_tagged():
    from scripts.toc import chapters

    tagged = [
        (path.name, n)
        for path in chapters()
        for n, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if reference_machine.TAG in cell.metadata.get("tags", [])
    ]
    assert tagged, "no cell is tagged machine-dependent"
    assert all(nbformat.read(ROOT / "book" / name, as_version=4).cells[n].cell_type == "code" for name, n in tagged)


def test_the_execution_report_names_the_cpu_that_stored_the_outputs(tmp_path):
    source = tmp_path / "source"
    (source / "book").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "execution.md", source / "book")
    (source / "book" / "reference_machine.json").write_text(json.dumps({"fingerprint": "0" * 16, "cpu": "Some CPU 9"}))
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        "extensions = ['myst_nb', 'build_machine']\n"
        "myst_enable_extensions = ['substitution']\n"
        "nb_execution_mode = 'off'\n"
        "root_doc = 'book/execution'\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", str(source), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "html" / "book" / "execution.html").read_text()
    assert "on this CPU: Some CPU 9." in html and "reference_cpu" not in html
