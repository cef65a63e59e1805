"""Times one page's accessibility audits (tests/browser/test_accessibility.py), with the
phone's audit started the way the test starts it and, as the baseline, run to its end before
the call returns.

The test's `audits` fixture loads the page 390 px wide and starts axe-core on it, then audits
the page already open at 1280 px in light and dark mode, then collects the phone's results.
axe does most of an audit's work before its promise first waits, so the baseline's phone
audit ran to its end inside the call that started it; the test's start defers it to the
page's next task, so that it runs in the phone page's renderer while the desktop page is
audited. Each side runs on each page in the order baseline, test, test, baseline, and the
script prints the seconds of each run, the means and the ratio.

Run (a built site and Chromium needed: bash scripts/build.sh):

    python benchmarks/bench_audit.py [--pages book/04_optimizers ...]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from options import description
from playwright.sync_api import sync_playwright

# The browser tests' helpers, imported as pytest imports them (scripts.toc from the root).
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests" / "browser"), str(ROOT)]

import test_accessibility as audit  # noqa: E402
from site_pages import AXE, CHROMIUM, CHROMIUM_FLAGS, SITE, chapter_pages  # noqa: E402

from conftest import _open, _serving  # noqa: E402

# The start the test used before: the audit runs to its end inside this call.
BLOCKING_START = """(rules) => {
  window.lesson5Audit = axe.run(document, {
    runOnly: rules, resultTypes: ['violations', 'incomplete'],
  });
}"""


def audit_seconds(browser, url, page_name, axe_source, start):
    """Seconds of the `audits` fixture's work on one page, the desktop page already open (as
    the page checks before it leave it), with every audit started by `start`."""
    desktop, _ = _open(browser, url, 1280)
    began = time.perf_counter()
    phone, _ = _open(browser, url, audit.PHONE[0])
    found = audit.audit_page(page_name, phone, lambda: desktop, axe_source, start)
    seconds = time.perf_counter() - began
    if not all("violations" in result for result in found.results.values()):
        sys.exit(f"bench_audit: an audit of {page_name} returned no results")
    desktop.context.close()
    phone.context.close()
    return seconds


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--pages", nargs="+", default=chapter_pages(),
                        help="docnames to audit (default: every chapter)")
    args = parser.parse_args()
    if not (SITE / "index.html").is_file():
        sys.exit(f"bench_audit: no built site at {SITE}; run  bash scripts/build.sh")
    axe_source = AXE.read_text(encoding="utf-8")
    sides = {"blocking start (baseline)": BLOCKING_START, "deferred start (the test's)": audit._START}
    runs = {side: [] for side in sides}
    baseline, test = sides
    with _serving(SITE) as root, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for page_name in args.pages:
            url = f"{root}{page_name}.html"
            for side in (baseline, test, test, baseline):
                seconds = audit_seconds(browser, url, page_name, axe_source, sides[side])
                runs[side].append(seconds)
                print(f"{page_name:<26}{side:<30}{seconds:6.2f} s", flush=True)
        browser.close()
    print()
    for side, seconds in runs.items():
        print(f"{side:<30} mean {statistics.mean(seconds):5.2f} s a page, "
              f"{sum(seconds):6.1f} s in all")
    ratio = sum(runs[baseline]) / sum(runs[test])
    print(f"baseline / test: {ratio:.2f}x")


if __name__ == "__main__":
    main()
