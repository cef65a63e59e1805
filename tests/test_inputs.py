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


def test_installing_libreoffice_changes_the_fingerprint(tmp_path, monkeypatch):
    # Chapters 03, 04 and 06 print LibreOffice's recalculation where it is installed: a build
    # cached without it must run them again once it is.
    _tree(tmp_path)
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    without = inputs.fingerprint(tmp_path)
    (empty / "soffice").write_text("#!/bin/sh\n")
    (empty / "soffice").chmod(0o755)
    assert inputs.fingerprint(tmp_path) != without


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


@pytest.fixture
def six_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(6)), raising=False)


@pytest.mark.parametrize("chapters, expected", [(3.5, 3), (0.5, 1), (64, 6)])
def test_no_more_chapters_run_at_once_than_the_available_memory_holds(six_cpus, tmp_path, chapters, expected):
    # A laptop with many cores and little free memory would swap, or lose a kernel, at one per core.
    meminfo = tmp_path / "meminfo"
    kb = int(chapters * cores.CHAPTER_BYTES) // 1024
    meminfo.write_text(f"MemTotal:       {128 << 20} kB\nMemAvailable:   {kb} kB\n")
    assert cores.jobs(tmp_path, _proc(tmp_path, "0::/"), meminfo) == expected


def test_a_containers_memory_limit_counts_where_the_hosts_free_memory_is_larger(six_cpus, tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(f"MemAvailable:   {64 << 20} kB\n")
    group = tmp_path / "box"
    group.mkdir()
    (group / "memory.max").write_text(f"{3 * cores.CHAPTER_BYTES}\n")
    (group / "memory.current").write_text(f"{3 * cores.CHAPTER_BYTES // 2}\n")
    assert cores.jobs(tmp_path, _proc(tmp_path, "0::/box"), meminfo) == 1
    # File cache the kernel can drop is room too (memory.current counts it as used).
    (group / "memory.stat").write_text(f"anon 1\ninactive_file {cores.CHAPTER_BYTES}\n")
    assert cores.jobs(tmp_path, _proc(tmp_path, "0::/box"), meminfo) == 2
    (group / "memory.max").write_text("max\n")
    assert cores.jobs(tmp_path, _proc(tmp_path, "0::/box"), meminfo) == 6


@pytest.mark.parametrize("physical_chapters, expected", [(4, 2), (64, 6), (None, 6)])
def test_without_proc_meminfo_half_the_physical_memory_is_counted(
    six_cpus, monkeypatch, tmp_path, physical_chapters, expected
):
    # macOS says nothing of its free memory in a file; Windows has no sysconf either.
    page = 4096

    def sysconf(name):
        if physical_chapters is None:
            raise ValueError(name)
        return page if name == "SC_PAGE_SIZE" else physical_chapters * cores.CHAPTER_BYTES // page

    monkeypatch.setattr(os, "sysconf", sysconf, raising=False)
    assert cores.jobs(tmp_path, _proc(tmp_path, "0::/"), tmp_path / "no-meminfo") == expected


def _proc(root, *lines):
    proc = root / "proc-self-cgroup"
    proc.write_text("".join(line + "\n" for line in lines))
    return proc


def test_the_chapters_run_on_the_cpus_this_process_may_use(monkeypatch, tmp_path):
    proc = _proc(tmp_path, "0::/")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert cores.usable(tmp_path, proc) == 1
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert cores.usable(tmp_path, proc) == 6


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize(
    "files, lines, expected",
    [
        ({"cpu.max": "150000 100000"}, ["0::/"], 2),  # 1.5 CPUs, rounded up
        ({"cpu.max": "50000 100000"}, ["0::/"], 1),
        ({"cpu.max": "max 100000"}, ["0::/"], 6),
        ({"cpu.max": "800000 100000"}, ["0::/"], 6),
        ({"cpu.max": "garbled"}, ["0::/"], 6),
        # A folder where the file should be: unreadable, so no quota.
        ({"cpu.max/x": ""}, ["0::/"], 6),
        # The process's own cgroup, deeper than the mount, and the tightest on its path.
        (
            {
                "system.slice/cpu.max": "400000 100000",
                "system.slice/app.scope/cpu.max": "200000 100000",
            },
            ["0::/system.slice/app.scope"],
            2,
        ),
        (
            {
                "system.slice/cpu.max": "100000 100000",
                "system.slice/app.scope/cpu.max": "max 100000",
            },
            ["0::/system.slice/app.scope"],
            1,
        ),
        # Another cgroup's quota is not this process's.
        ({"other.scope/cpu.max": "100000 100000"}, ["0::/app.scope"], 6),
        # cgroup v1: the hierarchy that holds the cpu controller, by its folder's name.
        (
            {"cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "200000",
             "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000"},
            ["4:memory:/docker/abc", "3:cpu,cpuacct:/docker/abc"],
            2,
        ),
        (
            {"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"},
            ["1:cpu:/"],
            6,
        ),
    ],
    ids=["v2 1.5", "v2 0.5", "v2 max", "v2 above", "v2 garbled", "unreadable",
         "nested tightest", "ancestor", "other cgroup", "v1 2", "v1 none"],
)
def test_a_cgroup_cpu_quota_caps_the_count(six_cpus, tmp_path, files, lines, expected):
    root = tmp_path / "cgroup"
    root.mkdir()
    for name, text in files.items():
        _write(root / name, text)
    assert cores.usable(root, _proc(tmp_path, *lines)) == expected


def test_without_a_readable_cgroup_list_the_mount_top_is_read(six_cpus, tmp_path):
    (tmp_path / "cpu.max").write_text("300000 100000\n")
    assert cores.usable(tmp_path, tmp_path / "missing") == 3
