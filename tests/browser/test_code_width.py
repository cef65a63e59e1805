"""Code and printed output fit the column on a desktop (1280 px): no code cell or output
line runs past the right edge, where a reader would have to scroll sideways to read it (and
the PDF would lose it). A failure lists each chapter's lines that are too long, with the
number of characters the column holds.
"""

import pytest
from site_pages import chapter_pages

CHAPTERS = chapter_pages()

# For each code block in a cell (source or output) that scrolls sideways: how many
# characters of its font fit, and which of its lines are longer.
_OVERFLOWING = """
() => {
  const found = [];
  for (const pre of document.querySelectorAll('.cell_input pre, .cell_output pre')) {
    if (pre.scrollWidth <= pre.clientWidth) { continue; }
    const probe = document.createElement('span');
    probe.textContent = 'x'.repeat(100);
    pre.appendChild(probe);
    const charWidth = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const style = getComputedStyle(pre);
    const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const fits = Math.floor(room / charWidth);
    // textContent, not innerText: a solution's code is hidden in a closed dropdown.
    const lines = pre.textContent.split('\\n').filter((line) => line.length > fits);
    found.push({
      where: pre.closest('.cell_input') ? 'code' : 'output',
      fits: fits,
      lines: lines,
    });
  }
  return found;
}
"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_code_and_output_fit_the_column(shown, chapter):
    blocks = shown(chapter).evaluate(_OVERFLOWING)
    if not blocks:
        return
    fits = min(block["fits"] for block in blocks)
    lines = [
        f"[{block['where']}, {len(line)} chars] {line}"
        for block in blocks
        for line in block["lines"]
    ]
    pytest.fail(
        f"{chapter}: {len(blocks)} code blocks scroll sideways at 1280 px (the column holds "
        f"{fits} characters); {len(lines)} lines too long:\n" + "\n".join(lines)
    )
