"""The benchmarks' command-line checks (benchmarks/options.py, bench_build's --output): a bad
value is refused with a sentence before any timing starts, and no folder worth keeping is emptied."""

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture
def options(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    yield importlib.import_module("options")
    # Imported as the scripts import it, by a name too plain to leave to other tests.
    sys.modules.pop("options")


@pytest.fixture
def bench_build(options):
    yield importlib.import_module("bench_build")
    sys.modules.pop("bench_build")


@pytest.mark.parametrize("text, message", [
    ("0", "0 is too few: give 1 or more"),
    ("-3", "-3 is too few"),
    ("2.5", "'2.5' is not a whole number"),
    ("x", "'x' is not a whole number"),
])
def test_a_count_below_one_or_not_whole_is_refused(options, text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        options.count(text)


def test_counts_and_thread_counts_read(options):
    assert options.count("15") == 15
    assert options.threads_or_default("0") == 0
    assert options.threads_or_default("2") == 2
    with pytest.raises(argparse.ArgumentTypeError, match="1 or more, or 0 for torch's default"):
        options.threads_or_default("-1")


def test_a_device_is_cpu_or_an_available_gpu(options, monkeypatch):
    assert options.torch_device("cpu") == torch.device("cpu")
    with pytest.raises(argparse.ArgumentTypeError, match="give cpu or cuda"):
        options.torch_device("gpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert options.torch_device("cuda") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(argparse.ArgumentTypeError, match="leave --device out to use the CPU"):
        options.torch_device("cuda")


def test_the_torch_benchmarks_options_read_and_set_up(options, monkeypatch):
    parser = argparse.ArgumentParser()
    options.add_torch_options(parser, "calls", 2000, "calls timed per round")
    args = parser.parse_args(["--threads", "1", "--device", "cpu"])
    assert (args.calls, args.rounds, args.threads, args.device) == (2000, 7, 1, torch.device("cpu"))
    set_to = []
    monkeypatch.setattr(torch, "set_num_threads", set_to.append)
    assert options.torch_setup(args) == torch.device("cpu") and set_to == [1]
    # 0 leaves torch's own thread count.
    assert options.torch_setup(parser.parse_args(["--threads", "0", "--device", "cpu"])) == torch.device("cpu")
    assert set_to == [1]
    with pytest.raises(SystemExit):
        parser.parse_args(["--rounds", "0"])


def test_help_gives_the_whole_first_paragraph(options):
    doc = "Times one thing, with a sentence that runs\nonto a second line.\n\nDetails."
    assert options.description(doc) == "Times one thing, with a sentence that runs\nonto a second line."


def test_the_build_benchmark_empties_only_a_new_folder_or_an_earlier_output(bench_build, tmp_path):
    assert bench_build.output_folder(str(tmp_path / "new")) == tmp_path / "new"
    earlier = tmp_path / "earlier"
    (earlier / "_build" / "html").mkdir(parents=True)
    assert bench_build.output_folder(str(earlier)) == earlier
    (tmp_path / "notes.txt").write_text("keep me")
    for kept in (tmp_path, ROOT, tmp_path / "notes.txt"):
        with pytest.raises(argparse.ArgumentTypeError, match="name a new folder, or leave --output out"):
            bench_build.output_folder(str(kept))


def test_a_script_refuses_a_bad_value_before_it_times_anything():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_backward.py"), "--reps", "0"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert "argument --reps: 0 is too few: give 1 or more" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
