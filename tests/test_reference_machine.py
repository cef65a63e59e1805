"""Cells tagged machine-dependent are compared only on a machine with the reference arithmetic
(scripts/reference_machine.py, conftest.py); every other cell is compared everywhere."""

import json
import os
import random
import re
import subprocess
import sys
from datetime import date

import nbformat
import numpy as np
import pytest
import torch
from nbval_run import run_nbval as _run_nbval
from sphinx_page import build_page, extension

from scripts import cores, reference_machine

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




def _nbval(notebook, tmp_path, record, *options):
    """_run_nbval against a record file holding `record` (a dict written as JSON, a string
    written as it is, or None for no file)."""
    path = tmp_path / "reference_machine.json"
    if record is not None:
        path.write_text(record if isinstance(record, str) else json.dumps(record))
    return _run_nbval(notebook, {**os.environ, "LESSON5_REFERENCE_MACHINE": str(path)}, *options)


def _outcomes(out):
    """Each cell's outcome in pytest -v's report ("::Cell 0 PASSED", or under pytest-xdist
    "PASSED ...::Cell 0")."""
    found = [re.search(rf"::Cell {n} (PASSED|FAILED)|(PASSED|FAILED) \S*::Cell {n}\b", out) for n in range(3)]
    return [m and (m.group(1) or m.group(2)) for m in found]


def test_on_the_reference_machine_every_cell_is_compared(notebook, tmp_path):
    out = _nbval(notebook, tmp_path, {"fingerprint": reference_machine.this_machine()["fingerprint"], "cpu": "Ref CPU"})
    assert _outcomes(out) == ["FAILED", "PASSED", "FAILED"], out[-3000:]
    assert "matches the one that stored the outputs (Ref CPU)" in out, out[-3000:]


def test_elsewhere_only_the_tagged_cells_outputs_are_left_uncompared(notebook, tmp_path):
    # Two workers, as scripts/test.sh runs nbval: the line comes back from the worker, once.
    cpu = reference_machine.cpu_model()
    out = _nbval(notebook, tmp_path, {"fingerprint": "0" * 16, "cpu": cpu}, "-n", "2", "--dist", "loadfile")
    assert _outcomes(out) == ["PASSED", "PASSED", "FAILED"], out[-3000:]
    assert out.count(f"differs from the one that stored the outputs ({cpu}, 0000000000000000)") == 1, out[-3000:]
    assert "(the same name, another arithmetic)" in out
    assert f"cells tagged {reference_machine.TAG!r} run but their outputs are not compared" in out


def test_without_a_record_every_cell_is_compared_and_the_fix_named(notebook, tmp_path):
    # Without pytest-xdist loaded, as benchmarks/bench_build.py runs its serial baseline:
    # conftest.py's hook for xdist's workers must not stop pytest there.
    out = _nbval(notebook, tmp_path, None, "-p", "no:xdist")
    assert _outcomes(out) == ["FAILED", "PASSED", "FAILED"], out[-3000:]
    assert "no readable record at" in out and "reference_machine.py --write" in out, out[-3000:]


@pytest.mark.parametrize("text", ["{not json", '{"cpu": "Ref CPU"}', '{"fingerprint": "x", "cpu": "Ref CPU"}',
                                  '{"fingerprint": "0123456789abcdef", "cpu": ""}', "[]"])
def test_an_unreadable_record_counts_as_none(tmp_path, monkeypatch, text):
    (tmp_path / "record.json").write_text(text)
    monkeypatch.setenv("LESSON5_REFERENCE_MACHINE", str(tmp_path / "record.json"))
    assert reference_machine.stored() is None and reference_machine.compare_tagged_cells()
    (tmp_path / "record.json").write_text('{"fingerprint": "0123456789abcdef", "cpu": "Ref CPU"}')
    assert reference_machine.stored() == {"fingerprint": "0123456789abcdef", "cpu": "Ref CPU"}


def test_the_fingerprint_repeats_and_leaves_the_session_as_it_was(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", True)
    # Not one thread, which the digest sets: its putting the count back is then seen.
    monkeypatch.setattr(torch, "get_num_threads", lambda: 3)
    set_threads = []
    monkeypatch.setattr(torch, "set_num_threads", set_threads.append)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    expected = random.random(), np.random.rand(), torch.rand(2)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    first = reference_machine._digest()
    drawn = random.random(), np.random.rand(), torch.rand(2)
    assert drawn[:2] == expected[:2] and torch.equal(drawn[2], expected[2])
    assert set_threads[-1] == 3 and torch.backends.mkldnn.enabled is True
    assert reference_machine._digest() == first and re.fullmatch(r"[0-9a-f]{16}", first)


def test_the_fingerprint_sees_a_square_root_one_bit_off(monkeypatch):
    before = reference_machine._digest()
    sqrt = torch._foreach_sqrt
    monkeypatch.setattr(torch, "_foreach_sqrt", lambda xs: [torch.nextafter(r, r + 1) for r in sqrt(xs)])
    assert reference_machine._digest() != before


def test_a_shell_without_the_pins_measures_the_pinned_arithmetic():
    # It can fail only where the pins change the arithmetic (a CPU with AVX-512, say); the
    # tests with the child's arithmetic mocked below check the same path on every machine.
    env = {k: v for k, v in os.environ.items() if k not in reference_machine.PINNED}
    child = subprocess.run(
        [sys.executable, "-c", "from scripts import reference_machine as r; print(r.fingerprint())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    assert child.stdout.strip() == reference_machine.this_machine()["fingerprint"]


def test_nbval_runs_the_chapters_with_the_pins_from_a_shell_without_them(tmp_path):
    nb = nbformat.v4.new_notebook()
    pins = reference_machine.pins()  # this machine's: ATen's only on x86-64 with AVX2
    hidden = reference_machine.ON_THE_CPU["CUDA_VISIBLE_DEVICES"]
    nb.cells = [_cell('import os\nprint(os.environ.get("ATEN_CPU_CAPABILITY"), os.environ.get("MKL_CBWR"), '
                      'repr(os.environ.get("CUDA_VISIBLE_DEVICES")))',
                      f"{pins.get('ATEN_CPU_CAPABILITY')} {pins['MKL_CBWR']} {hidden!r}\n")]
    nbformat.write(nb, tmp_path / "pins.ipynb")
    unset = {*reference_machine.PINNED, *reference_machine.ON_THE_CPU}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    out = _run_nbval(tmp_path / "pins.ipynb", env)
    assert "Cell 0 PASSED" in out, out[-3000:]


def test_nbval_run_by_hand_draws_no_progress_bars(tmp_path):
    # A bar's redrawn display fails nbval's comparison; scripts/test.sh turns bars off, and
    # so must `pytest --nbval` started from a shell that did not.
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("from lesson5.progress import progress_enabled\nprint(progress_enabled())", "False\n")]
    nbformat.write(nb, tmp_path / "bars.ipynb")
    out = _run_nbval(tmp_path / "bars.ipynb", {**os.environ, "LESSON5_PROGRESS": "1"})
    assert "Cell 0 PASSED" in out, out[-3000:]


def _run_by_the_builds_executor(source, tmp_path, monkeypatch):
    """The outputs of a one-cell notebook of `source` run by scripts/execute.py's worker
    function. (Its worker processes set their environment for themselves; here the function runs
    in the test's process, so monkeypatch puts back every variable it sets.)"""
    for name in reference_machine.ON_THE_CPU:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LESSON5_PROGRESS", os.environ.get("LESSON5_PROGRESS", "1"))
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import execute

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, tmp_path / "one.ipynb")
    ran, _, error = execute._execute(tmp_path / "one.ipynb", timeout=120)
    assert error is None
    return ran.cells[0].outputs


def test_the_builds_executor_runs_the_chapters_on_the_cpu(tmp_path, monkeypatch):
    """scripts/execute.py hides any GPU from the kernels it starts, as nbval does: the stored
    outputs were computed on the CPU."""
    source = 'import os\nprint(repr(os.environ.get("CUDA_VISIBLE_DEVICES")))'
    [output] = _run_by_the_builds_executor(source, tmp_path, monkeypatch)
    assert output.text == f"{reference_machine.ON_THE_CPU['CUDA_VISIBLE_DEVICES']!r}\n"


def test_the_builds_executor_stores_no_output_meant_for_a_person_watching(tmp_path, monkeypatch):
    """Started from a shell with progress on, scripts/execute.py still runs the chapters with it
    off: a glued value is stored for the page, and not also printed as "name: value"."""
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    outputs = _run_by_the_builds_executor('from lesson5 import glue\nglue("x", 1);', tmp_path, monkeypatch)
    assert [output.output_type for output in outputs] == ["display_data"]


@pytest.mark.parametrize("machine, pinned", [("x86_64", {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"}),
                                              ("AMD64", {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"}),
                                              ("arm64", {"MKL_CBWR": "COMPATIBLE"}),
                                              ("aarch64", {"MKL_CBWR": "COMPATIBLE"})])
def test_atens_pin_is_for_x86_64_alone(machine, pinned):
    # Elsewhere PyTorch would warn in every chapter that it ignores "avx2".
    assert reference_machine.pins(machine, avx2=True) == pinned


@pytest.mark.parametrize("flags, runs", [("fpu sse2 avx avx2 fma", True), ("fpu sse2 avx fma", False),
                                          ("fpu sse2 avx avx2", False)])
def test_atens_pin_is_for_cpus_that_run_avx2_and_fma(flags, runs, tmp_path, monkeypatch):
    # ATen's AVX2 kernels use FMA too; pinned on a CPU without either, they would stop at an
    # illegal instruction, since PyTorch obeys the pin without asking the CPU.
    (tmp_path / "cpuinfo").write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n")
    monkeypatch.setenv("LESSON5_CPUINFO", str(tmp_path / "cpuinfo"))
    assert reference_machine.runs_avx2() is runs
    assert ("ATEN_CPU_CAPABILITY" in reference_machine.pins("x86_64")) is runs


def test_an_x86_64_cpu_without_avx2_gets_no_atens_pin():
    assert reference_machine.pins("x86_64", avx2=False) == {"MKL_CBWR": "COMPATIBLE"}


@pytest.mark.parametrize("found, runs", [({"avx2": True, "fma3": True}, True), ({"avx2": True, "fma3": False}, False)])
def test_without_a_flags_file_or_sysctl_pytorch_is_asked(found, runs, tmp_path, monkeypatch):
    # Windows: PyTorch's own reading of the CPU, AVX2 and FMA both, as ATen asks.
    monkeypatch.setenv("LESSON5_CPUINFO", str(tmp_path / "none"))
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: found)
    assert reference_machine.cpu_flags() is None
    assert reference_machine.runs_avx2() is runs


def test_the_fingerprint_is_measured_without_a_pin_left_from_elsewhere(monkeypatch):
    # ATen's pin left in the shell, on a CPU without AVX2: the child must not inherit it.
    monkeypatch.setenv("ATEN_CPU_CAPABILITY", "avx2")
    monkeypatch.setattr(reference_machine, "pins", lambda: {"MKL_CBWR": "COMPATIBLE"})
    seen = []

    def child(command, env, **kwargs):
        seen.append(env)
        return subprocess.CompletedProcess(command, 0, stdout="0123456789abcdef\n", stderr="")

    monkeypatch.setattr(reference_machine.subprocess, "run", child)
    assert reference_machine.fingerprint() == "0123456789abcdef"
    assert "ATEN_CPU_CAPABILITY" not in seen[0] and seen[0]["MKL_CBWR"] == "COMPATIBLE"


def test_pins_are_read_from_env_sh_whatever_its_line_endings(tmp_path, monkeypatch):
    (tmp_path / "scripts").mkdir()
    text = (ROOT / "scripts" / "env.sh").read_text()
    (tmp_path / "scripts" / "env.sh").write_bytes(text.replace("\n", "\r\n").encode())
    monkeypatch.setattr(reference_machine, "ROOT", tmp_path)
    assert reference_machine.pins("x86_64", avx2=True) == {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"}
    (tmp_path / "scripts" / "env.sh").write_text(text.replace("MKL_CBWR=COMPATIBLE", ""))
    with pytest.raises(RuntimeError, match="should set ATEN_CPU_CAPABILITY and MKL_CBWR"):
        reference_machine.pins("x86_64", avx2=True)


def test_a_failed_measurement_says_why(monkeypatch):
    for name in reference_machine.PINNED:
        monkeypatch.delenv(name, raising=False)
    # The child looks for this module in a folder that does not exist.
    monkeypatch.setattr(reference_machine, "ROOT", ROOT / "no-such-folder")
    monkeypatch.setattr(reference_machine, "pins", lambda: {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "COMPATIBLE"})
    failure = "(?s)measuring the fingerprint failed:.*No module named 'reference_machine'"
    with pytest.raises(RuntimeError, match=failure):
        reference_machine.fingerprint()


def test_the_books_record_names_a_fingerprint_and_a_cpu():
    record = json.loads(reference_machine.RECORD.read_text())
    assert re.fullmatch(r"[0-9a-f]{16}", record["fingerprint"]) and record["cpu"]


def test_tagged_cells_are_code_cells_of_chapters_with_outputs_to_leave_uncompared():
    from scripts.toc import chapters

    tagged = [
        (path.name, index, cell)
        for path in chapters()
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
        if reference_machine.TAG in cell.metadata.get("tags", [])
    ]
    assert tagged and {cell.cell_type for _, _, cell in tagged} == {"code"}
    # The tag only leaves outputs uncompared: on a cell with none it does nothing but count
    # in the execution report's number of cells another machine does not check, and any
    # output the cell came to print would go unchecked there.
    assert [(name, index) for name, index, cell in tagged if not cell.outputs] == []


def _execution_report(tmp_path, record):
    path = tmp_path / "reference_machine.json"
    if record is not None:
        path.write_text(json.dumps(record))
    return build_page(tmp_path, "execution", "build_machine", myst_extensions=["substitution"],
                      env={"LESSON5_REFERENCE_MACHINE": str(path)})


def test_the_execution_report_names_the_cpu_that_stored_the_outputs(tmp_path):
    html = _execution_report(tmp_path, {"fingerprint": "0" * 16, "cpu": "Some CPU 9"})
    assert "(CPU:\nSome CPU 9)" in html or "(CPU: Some CPU 9)" in html, html
    assert "reference_cpu" not in html


def test_the_execution_report_says_when_no_cpu_is_recorded(tmp_path):
    html = _execution_report(tmp_path, None)
    assert "not recorded: book/reference_machine.json is missing or unreadable" in html
    # The build machine's own core count, beside it.
    assert re.search(rf"could\s+use\s+{cores.usable()}\s+CPUs", html), html


@pytest.mark.parametrize("text", ['{"fingerprint": "0000000000000000", "cpu": ""}', "{not json", '["a list"]',
                                  '{"fingerprint": "0000000000000000"}', '{"cpu": 42}',
                                  '{"cpu": "Some CPU 9"}', '{"fingerprint": "not hex", "cpu": "Some CPU 9"}'])
def test_an_empty_or_unreadable_record_names_no_cpu(tmp_path, monkeypatch, text):
    # As nbval reads it: a record it would not use (no fingerprint, say) names no CPU either.
    (tmp_path / "reference_machine.json").write_text(text)
    monkeypatch.setenv("LESSON5_REFERENCE_MACHINE", str(tmp_path / "reference_machine.json"))
    build_machine = extension("build_machine")
    assert build_machine._reference_cpu().startswith("not recorded")


def test_the_execution_report_counts_the_machine_dependent_cells(tmp_path, monkeypatch):
    build_machine = extension("build_machine")
    (tmp_path / "book").mkdir()
    toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(
        f"  - file: book/{name}\n" for name in ("02_a", "03_b", "07_c"))
    (tmp_path / "_toc.yml").write_text(toc)
    assert build_machine._machine_dependent(tmp_path) == "none at present"
    tagged = {"cell_type": "code", "metadata": {"tags": ["machine-dependent"]}, "source": ""}
    plain = {"cell_type": "code", "metadata": {}, "source": ""}
    for name, cells in {"02_a": [tagged, plain], "03_b": [plain], "07_c": [tagged, tagged]}.items():
        (tmp_path / "book" / f"{name}.ipynb").write_text(json.dumps({"cells": cells}))
    assert build_machine._machine_dependent(tmp_path) == "3 cells: 1 in 02_a, 2 in 07_c"


def test_a_shell_with_only_some_pins_measures_in_a_child_with_all_of_them(monkeypatch):
    # The shell's own value of a pinned variable must not win over the pin in the child.
    wanted = reference_machine.pins()
    name, value = next(iter(wanted.items()))
    monkeypatch.setenv(name, "default" if value != "default" else "other")
    children = []

    def child(args, env, **kwargs):
        children.append(env)
        return subprocess.CompletedProcess(args, 0, stdout="0" * 16 + "\n", stderr="")

    monkeypatch.setattr(reference_machine.subprocess, "run", child)
    assert reference_machine.fingerprint() == "0" * 16
    assert children and all(children[0][k] == v for k, v in wanted.items())


def test_the_cpu_is_named_by_its_model_name(monkeypatch):
    cpuinfo = "processor\t: 0\nmodel\t\t: 167\nmodel name\t: Example CPU @ 2.00GHz\n"
    monkeypatch.setattr(reference_machine.Path, "read_text", lambda self, *a, **k: cpuinfo)
    assert reference_machine.cpu_model() == "Example CPU @ 2.00GHz"


@pytest.mark.parametrize("sysctl, named", [((0, "Apple M2\n"), "Apple M2"), ((1, ""), "arm")])
def test_on_macos_the_cpu_is_named_by_sysctl_not_platforms_guess(tmp_path, monkeypatch, sysctl, named):
    # macOS has no /proc/cpuinfo, and platform.processor() says "arm" for any Apple M-series chip.
    monkeypatch.setenv("LESSON5_CPUINFO", str(tmp_path / "missing"))
    monkeypatch.setattr(reference_machine.platform, "system", lambda: "Darwin")
    monkeypatch.setattr(reference_machine.platform, "processor", lambda: "arm")
    asked = []

    def run(args, **kwargs):
        asked.append(args)
        return subprocess.CompletedProcess(args, sysctl[0], stdout=sysctl[1], stderr="")

    monkeypatch.setattr(reference_machine.subprocess, "run", run)
    assert reference_machine.cpu_model() == named
    assert asked == [["sysctl", "-n", "machdep.cpu.brand_string"]]


@pytest.mark.parametrize("record, code", [(None, 2), ({"fingerprint": "0" * 16, "cpu": "Other"}, 1), ("here", 0)])
def test_the_command_exits_as_its_docstring_says(tmp_path, monkeypatch, capsys, record, code):
    here = {"fingerprint": "1" * 16, "cpu": "This CPU"}
    monkeypatch.setattr(reference_machine, "this_machine", lambda: here)
    path = tmp_path / "reference_machine.json"
    if record is not None:
        path.write_text(json.dumps(here if record == "here" else record))
    monkeypatch.setenv("LESSON5_REFERENCE_MACHINE", str(path))
    assert reference_machine.main([]) == code
    assert capsys.readouterr().out.startswith("arithmetic:")



def test_write_records_this_machine_where_the_readers_look(tmp_path, monkeypatch, capsys):
    here = {"fingerprint": "1" * 16, "cpu": "This CPU"}
    monkeypatch.setattr(reference_machine, "this_machine", lambda: here)
    path = tmp_path / "reference_machine.json"
    path.write_text(json.dumps({"fingerprint": "0" * 16, "cpu": "Other"}))
    monkeypatch.setenv("LESSON5_REFERENCE_MACHINE", str(path))
    # A stand-in for the book's record, so that a --write aimed there spoils no real file.
    book_record = tmp_path / "book" / "reference_machine.json"
    book_record.parent.mkdir()
    book_record.write_text("{}")
    monkeypatch.setattr(reference_machine, "ROOT", tmp_path)
    monkeypatch.setattr(reference_machine, "RECORD", book_record)
    assert reference_machine.main(["--write"]) == 0
    assert reference_machine.stored() == {**here, "written": date.today().isoformat()}
    assert reference_machine.compare_tagged_cells()
    assert book_record.read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "reference_machine.json"]
