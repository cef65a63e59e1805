"""The execution report lists every chapter the build executed, by its title, with a status a
reader can read without an emoji font and none of jupyter-cache's vocabulary
(_ext/execution_report.py)."""

import posixpath
import re

from site_pages import accessible_tree, chapter_pages, toc_pages

REPORT = next(page for page in toc_pages() if page.endswith("execution"))


def test_execution_report_names_each_chapter_and_its_status_in_words(offline_context, site_url):
    page = offline_context.new_page()
    page.goto(f"{site_url}{REPORT}.html", wait_until="load")
    table = page.locator("article table")
    headers = table.locator("thead th").all_inner_texts()
    rows = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"
    )
    # Each row is headed by its chapter: a screen reader names the chapter with each cell.
    row_headers = [name for role, name in accessible_tree(page) if role == "rowheader"]
    links = table.locator("tbody tr th:first-child a").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.innerText.trim()])"
    )
    # The sidebar names each chapter by its title: the report must name it the same way.
    navigation = dict(page.locator("nav.bd-links a").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.innerText.trim()])"
    ))
    page.close()
    assert [h.strip() for h in headers] == ["Chapter", "Executed", "Run time (s)", "Status"], headers
    assert row_headers == [row[0] for row in rows], f"{REPORT}: rows headed by {row_headers}: {rows}"
    linked = {posixpath.join(posixpath.dirname(REPORT), href.split("#")[0].removesuffix(".html")): text
              for href, text in links}
    missing = [c for c in chapter_pages() if c not in linked]
    assert not missing, f"{REPORT}: the build's table has no row for {missing}: {rows}"
    for href, text in links:
        named = navigation.get(href)
        assert text == named, f"{REPORT}: {href} is named {text!r}, the sidebar says {named!r}"
    statuses = {row[-1] for row in rows}
    # A chapter that failed fails the build (-W), so a built site has none.
    assert statuses == {"succeeded"}, f"{REPORT}: status cells read {statuses}"
    times = [row[2] for row in rows]
    assert all(re.fullmatch(r"\d+(\.\d+)?", t) and float(t) > 0 for t in times), f"{REPORT}: run times read {times}"


def test_execution_report_fits_a_phone(shown):
    # At 390 px the Status column was cut off ("succee…") until scrolled sideways, and the
    # dates broke at their hyphens; at 375 px, 6 px of it were. 360 px is the narrowest
    # common phone.
    table = shown(REPORT, 360).locator("article table")
    overflow = table.evaluate("t => t.scrollWidth - t.parentElement.clientWidth")
    broken = table.locator(".execution-when").evaluate_all(
        "spans => spans.filter(s => s.getClientRects().length > 1).map(s => s.textContent)"
    )
    assert overflow <= 0, f"{REPORT}: the table is {overflow} px wider than a 360 px screen's column"
    assert table.locator(".execution-when").count() >= 2 and not broken, f"{REPORT}: {broken} break across lines"
