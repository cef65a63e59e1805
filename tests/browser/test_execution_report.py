"""The execution report lists every chapter the build executed, each with a status a reader
can read without an emoji font (_ext/execution_status_words.py)."""

from site_pages import chapter_pages, toc_pages

REPORT = next(page for page in toc_pages() if page.endswith("execution"))


def test_execution_report_states_each_chapters_status_in_words(offline_context, site_url):
    page = offline_context.new_page()
    page.goto(f"{site_url}{REPORT}.html", wait_until="load")
    rows = page.locator("article table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    page.close()
    executed = {row[0] for row in rows}
    missing = [c for c in chapter_pages() if not any(c.endswith(doc) for doc in executed)]
    assert not missing, f"{REPORT}: the build's table has no row for {missing}: {rows}"
    statuses = {row[-1] for row in rows}
    assert statuses <= {"succeeded", "failed"}, f"{REPORT}: status cells read {statuses}"
