"""_ext/execution_report.py writes each chapter's execution time in UTC, labelled so, whatever
the build machine's time zone (myst-nb's own column is local time without a label)."""

import time
from types import SimpleNamespace

from docutils import nodes

from scripts.toc import ROOT


def test_the_time_a_chapter_ran_is_written_in_utc_on_any_machine(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "_ext"))
    import execution_report

    # A machine nine hours ahead of UTC, where local time would read 09:00.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    monkeypatch.setattr(execution_report.NbMetadataCollector, "get_doc_data",
                        lambda env: {"book/01_data": {"exec_data": {"mtime": 86400}}})
    entry = nodes.entry()
    try:
        execution_report.ExecutionReport._executed(SimpleNamespace(env=None), entry, "book/01_data")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert [n.astext() for n in entry.findall(nodes.inline)] == ["1970-01-02", "00:00 UTC"]
