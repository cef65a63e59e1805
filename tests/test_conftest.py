"""The root conftest.py's set-up of nbval's runs: the chapters' code paths and CPU for nbval
alone, and the sanitizer found from any folder; and what pytest.ini loads into every run."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from scripts import reference_machine
from scripts.toc import ROOT


@pytest.fixture
def environment(monkeypatch):
    """Every variable the set-up may change, put back after the test."""
    for name in (*reference_machine.PINNED, *reference_machine.ON_THE_CPU):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _options(**options):
    return SimpleNamespace(option=SimpleNamespace(**options), rootpath=ROOT)


def test_nbval_runs_on_the_cpu_with_the_pins_and_drops_atens_off_x86(root_conftest, environment):
    environment.setattr(reference_machine.platform, "machine", lambda: "aarch64")
    # Inherited from a shell that sourced env.sh on another machine, say.
    environment.setenv("ATEN_CPU_CAPABILITY", "avx2")
    root_conftest._pin_code_paths(_options(nbval=True))
    assert "ATEN_CPU_CAPABILITY" not in os.environ
    assert os.environ["MKL_CBWR"] == reference_machine.pins("aarch64")["MKL_CBWR"]
    assert all(os.environ[k] == v for k, v in reference_machine.ON_THE_CPU.items())


def test_other_test_runs_keep_their_environment(root_conftest, environment):
    # A unit-test run on a GPU machine must still see the GPU (tests/test_cuda.py).
    root_conftest._pin_code_paths(_options(nbval=False))
    assert not any(k in os.environ for k in (*reference_machine.PINNED, *reference_machine.ON_THE_CPU))


def test_the_sanitizer_is_found_from_another_folder(root_conftest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = _options(nbval_sanitize_with="tests/nbval_sanitize.cfg")
    root_conftest._sanitize_from_the_root(config)
    assert config.option.nbval_sanitize_with == str(ROOT / "tests" / "nbval_sanitize.cfg")


@pytest.mark.parametrize("failures, started", [(1, True), (2, False)])
def test_an_nbval_kernel_that_would_not_start_is_started_once_more(root_conftest, monkeypatch, failures, started):
    # The build lost a chapter so: a port chosen for its kernel was taken by the kernel of the
    # chapter starting beside it. Twice is a kernel that cannot start.
    from nbval import kernel

    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(kwargs["transport_encryption"])
        if len(attempts) <= failures:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return "manager", "client"

    monkeypatch.setattr(kernel, "start_new_kernel", flaky)
    root_conftest._encrypted_kernels()
    if started:
        assert kernel.start_new_kernel(kernel_name="python3") == ("manager", "client")
    else:
        with pytest.raises(RuntimeError):
            kernel.start_new_kernel(kernel_name="python3")
    assert len(attempts) == 2 and len(set(attempts)) == 1


def test_an_nbval_kernel_failing_otherwise_is_not_started_again(root_conftest, monkeypatch):
    from nbval import kernel

    attempts = []

    def failing(*args, **kwargs):
        attempts.append(1)
        raise RuntimeError("Kernel didn't respond in 60 seconds")

    monkeypatch.setattr(kernel, "start_new_kernel", failing)
    root_conftest._encrypted_kernels()
    with pytest.raises(RuntimeError):
        kernel.start_new_kernel(kernel_name="python3")
    assert attempts == [1]


def test_a_run_with_no_given_test_imports_no_hypothesis(tmp_path):
    # Hypothesis' pytest plugin imported all of it at every run's end (pytest.ini says why not).
    (tmp_path / "test_plain.py").write_text(
        "import atexit, sys\n"
        "atexit.register(lambda: print('hypothesis imported:', 'hypothesis' in sys.modules))\n"
        "def test_nothing():\n    pass\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pytest.ini"), "--rootdir", str(tmp_path),
         "-p", "no:cacheprovider", "-q", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert "hypothesis imported: False" in run.stdout, run.stdout[-2000:]
