"""scripts/inputs.py: the fingerprint of what a chapter's outputs depend on besides its code
cells, and scripts/cores.py: how many chapters run at once."""

import os

import pytest

from scripts import cores, inputs


def _tree(root):
    (root / "code" / "lesson5").mkdir(parents=True)
    (root / "code" / "lesson5" / "learner.py").write_text("EPOCHS = 1\n")
    (root / "code" / "lesson5" / "datasets.toml").write_text("[mnist]\n")
    (root / "book").mkdir()
    (root / "book" / "matplotlibrc").write_text("font.size: 12\n")
    (root / "requirements.txt").write_text("torch==2.13.0\n")


def test_a_source_the_requirements_or_the_figure_style_change_the_fingerprint(tmp_path):
    _tree(tmp_path)
    seen = {inputs.fingerprint(tmp_path)}
    for name, text in [("code/lesson5/learner.py", "EPOCHS = 2\n"), ("code/lesson5/datasets.toml", "[fashion]\n"),
                       ("requirements.txt", "torch==2.14.0\n"), ("book/matplotlibrc", "font.size: 13\n")]:
        (tmp_path / name).write_text(text)
        seen.add(inputs.fingerprint(tmp_path))
    assert len(seen) == 5


def test_what_follows_from_the_sources_or_is_no_source_leaves_it(tmp_path):
    _tree(tmp_path)
    before = inputs.fingerprint(tmp_path)
    package = tmp_path / "code" / "lesson5"
    for name in ["__pycache__/learner.cpython-311.pyc", ".ipynb_checkpoints/learner-checkpoint.py",
                 "../build/lib/lesson5/learner.py", "../lesson5.egg-info/PKG-INFO", ".learner.py.swp", "notes.txt"]:
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("anything\n")
    assert inputs.fingerprint(tmp_path) == before


def test_a_symlinked_folder_of_the_package_is_read(tmp_path):
    _tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "extra.py").write_text("X = 1\n")
    (tmp_path / "code" / "lesson5" / "linked").symlink_to(elsewhere, target_is_directory=True)
    before = inputs.fingerprint(tmp_path)
    (elsewhere / "extra.py").write_text("X = 2\n")
    assert inputs.fingerprint(tmp_path) != before


def test_the_chapters_run_on_the_cpus_this_process_may_use(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert cores.usable(cgroup=tmp_path) == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert cores.usable(cgroup=tmp_path) == 6


def _v1(root, quota, period="100000"):
    (root / "cpu").mkdir()
    (root / "cpu" / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (root / "cpu" / "cpu.cfs_period_us").write_text(f"{period}\n")


@pytest.mark.parametrize(
    "write, expected",
    [
        (lambda root: (root / "cpu.max").write_text("150000 100000\n"), 2),  # 1.5 CPUs
        (lambda root: (root / "cpu.max").write_text("50000 100000\n"), 1),
        (lambda root: (root / "cpu.max").write_text("max 100000\n"), 6),
        (lambda root: (root / "cpu.max").write_text("800000 100000\n"), 6),
        (lambda root: _v1(root, 200000), 2),
        (lambda root: _v1(root, -1), 6),
        (lambda root: (root / "cpu.max").write_text("garbled\n"), 6),
    ],
    ids=["v2 1.5", "v2 0.5", "v2 max", "v2 above", "v1 2", "v1 none", "unreadable"],
)
def test_a_cgroup_cpu_quota_caps_the_count(monkeypatch, tmp_path, write, expected):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(6)), raising=False)
    write(tmp_path)
    assert cores.usable(cgroup=tmp_path) == expected
