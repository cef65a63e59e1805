"""Sphinx extension: the execution report (book/execution.md) in a reader's words.

myst-nb's {nb-exec-table} heads its columns Document, Modified, Method, Run Time (s) and
Status, names each chapter by its file (`book/01_data`), says "cache" in every Method cell
(how jupyter-cache stores the outputs, which tells a reader nothing), and marks the status
with the emoji ✅ or ❌. Without an emoji font (common on Linux, and on the machines that
test the site) ✅ is drawn as an empty box, and screen readers announce it as "check mark
button". After myst-nb has built the table (its post-transform runs at priority 8) and before
its links are resolved (10), this one names each chapter by its title, drops the Method
column, heads the others Chapter, Executed, Run time (s) and Status, makes each chapter its
row's header, gives the time in UTC (myst-nb's is the build machine's, unlabelled), and writes
"succeeded" or "failed" (a failure keeps myst-nb's error as the word's explanation).
tests/browser/test_execution_report.py reads the built report.

The time of a chapter taken from the cache (every chapter, in builds that scripts/execute.py
ran first) needs undoing before it can be given in UTC: jupyter-cache keeps when it stored a run
as UTC without saying so, and myst-nb turns that into a timestamp as if it were the build
machine's local time. On a machine nine hours ahead of UTC the report said a chapter ran nine
hours before it did.
"""

import posixpath
from datetime import UTC, datetime
from pathlib import Path

from docutils import nodes
from jupyter_cache import get_cache
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

_MYST_NB_HEADERS = ["Document", "Modified", "Method", "Run Time (s)", "Status"]
_HEADERS = {"Document": "Chapter", "Modified": "Executed", "Run Time (s)": "Run time (s)"}
_DROPPED = "Method"
_WORDS = {"✅": "succeeded", "❌": "failed"}


class ExecutionReport(SphinxPostTransform):
    default_priority = 9

    def run(self, **kwargs):
        for thead in list(self.document.findall(nodes.thead)):
            if [entry.astext().strip() for entry in thead.findall(nodes.entry)] == _MYST_NB_HEADERS:
                self._reword(thead.parent.parent, _MYST_NB_HEADERS.index(_DROPPED))

    def _reword(self, table, dropped):
        tgroup = next(table.findall(nodes.tgroup))
        tgroup.remove(list(tgroup.findall(nodes.colspec))[dropped])
        tgroup["cols"] -= 1
        # Each row is headed by its chapter (a <th>), which a screen reader names with each of
        # the row's cells as it reads across.
        next(tgroup.findall(nodes.colspec))["stub"] = 1
        for row in table.findall(nodes.row):
            row.remove(row.children[dropped])
        for entry in next(table.findall(nodes.thead)).findall(nodes.entry):
            header = entry.astext().strip()
            if header in _HEADERS:
                entry.children = []
                entry += nodes.paragraph(text=_HEADERS[header])
        table["classes"].append("execution-report")
        runs = self._cached_runs()
        for row in next(table.findall(nodes.tbody)).children:
            docname = self._title(row.children[0])
            self._executed(row.children[1], docname, runs)
            self._status(row.children[-1])

    def _title(self, entry):
        """Names the row's chapter by its title; returns its docname."""
        for link in entry.findall(addnodes.pending_xref):
            # myst-nb links each chapter relative to the report's folder.
            docname = posixpath.normpath(posixpath.join(posixpath.dirname(self.env.docname), link["reftarget"]))
            title = self.env.titles.get(docname)
            if title is not None:
                link.children = [nodes.inline(text=title.astext())]
            return docname
        return None

    def _executed(self, entry, docname, runs):
        """When the chapter ran, in UTC and saying so (myst-nb writes the build machine's
        local time, unlabelled), the date and the time each kept on one line; `runs` is
        `_cached_runs()`, read once for the whole table."""
        data = NbMetadataCollector.get_doc_data(self.env).get(docname, {}).get("exec_data") or {}
        if not data.get("mtime"):
            return
        when = runs.get(data["mtime"]) or datetime.fromtimestamp(data["mtime"], tz=UTC)
        paragraph = nodes.paragraph()
        paragraph += nodes.inline(text=when.strftime("%Y-%m-%d"), classes=["execution-when"])
        paragraph += nodes.Text(" ")
        paragraph += nodes.inline(text=when.strftime("%H:%M UTC"), classes=["execution-when"])
        entry.children = [paragraph]

    def _cached_runs(self):
        """Each of jupyter-cache's runs, by the timestamp myst-nb makes of it, mapped to its time
        in UTC. A chapter executed in this build has the true time instead (`datetime.now()`),
        which no stored run's time matches."""
        folder = Path(self.env.mystnb_config.execution_cache_path)
        # get_cache would create a cache where there is none.
        if not folder.is_dir():
            return {}
        return {
            # As myst-nb converts it (myst_nb/core/execute/cache.py), in this same process.
            record.created.timestamp(): record.created.replace(tzinfo=UTC)
            for record in get_cache(folder).list_cache_records()
        }

    def _status(self, entry):
        for text in list(entry.findall(nodes.Text)):
            word = _WORDS.get(text.astext().strip())
            if word:
                text.parent.replace(text, nodes.Text(word))


def setup(app):
    app.add_post_transform(ExecutionReport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
