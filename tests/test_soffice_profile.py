"""The LibreOffice profile that lesson5.workbooks.calc starts soffice with: one that has been
through the first start, kept in the user's cache folder and copied for each run, or a bare one
where it cannot be kept.

Skipped when `soffice` is missing, unless CI is set (as in tests/test_workbooks.py).
"""

import os

import pytest

from lesson5.workbooks import calc
from lesson5.workbooks.entropy import build_entropy


@pytest.fixture
def binary():
    found = calc.soffice()
    if found is None:
        message = f"LibreOffice (soffice) is not installed: {calc.INSTALL_HINT}"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the workbook tests must run, but {message}")
        pytest.skip(message)
    return found


def test_the_started_profile_is_kept_once_and_copied_for_each_run(binary, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = calc._started_profile(binary)
    assert kept is not None and kept.parent == tmp_path / "cache" / "lesson5"
    assert "OOXMLRecalcMode" in (kept / "user" / "registrymodifications.xcu").read_text()
    before = sorted(p.relative_to(kept) for p in kept.rglob("*"))
    built = build_entropy([[1.0, 2.0, 0.5, 0.0, -1.0]], [1], ["a", "b", "c", "d", "e"], [0.3], [1])
    result = calc.save_and_recalculate(built, tmp_path / "entropy.xlsx")
    assert result.program is not None and result.worst <= 1e-9
    assert calc._started_profile(binary) == kept
    # The run wrote to its own copy, not to the kept profile.
    assert sorted(p.relative_to(kept) for p in kept.rglob("*")) == before
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]


def test_without_a_cache_folder_soffice_gets_a_bare_profile(binary, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert calc._started_profile(binary) is None
    calc._new_profile(binary, tmp_path / "profile")
    settings = tmp_path / "profile" / "user" / "registrymodifications.xcu"
    assert settings.read_text() == calc._PROFILE_SETTINGS
