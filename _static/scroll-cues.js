/*
 * A table, code block, printed output or formula wider than the column scrolls sideways, and
 * nothing but a cut-off word at its edge said so: on a phone the scrollbar of a long table sits
 * a screen below its first rows, and a formula cut at a sign looks complete. (A formula that
 * scrolls also becomes a tab stop, below.) Each such box is marked with the side that hides more
 * (lesson5-more-left, lesson5-more-right), and reader.css fades that edge. The marks follow
 * the reader's scrolling and any change of the box's width; a box that fits has none.
 */
(() => {
  const BOXES = ".cell_output .output, .cell_output pre, div.highlight > pre, " +
    ".pst-scrollable-table-container, mjx-container[display='true'], span.math";
  const mark = (box) => {
    const style = getComputedStyle(box).overflowX;
    // A box in a folded cell hides nothing while the cell is closed.
    const scrolls = (style === "auto" || style === "scroll") && (box.checkVisibility?.() ?? true);
    const hidden = scrolls ? box.scrollWidth - box.clientWidth : 0;
    // A pixel's slack: zoomed pages round scroll positions to fractions.
    box.classList.toggle("lesson5-more-left", hidden > 1 && box.scrollLeft > 1);
    box.classList.toggle("lesson5-more-right", hidden > 1 && box.scrollLeft < hidden - 1);
    // A keyboard reader must be able to reach a formula that scrolls in order to scroll it
    // (WCAG 2.1.1; axe's scrollable-region-focusable). MathJax is told to keep formulas out of
    // the tab order (mathjax3_config in _config.yml), so exactly those that scroll become tab
    // stops, as pydata-sphinx-theme does for wide code blocks. The others are kept out
    // explicitly: Chromium makes any box that scrolls a tab stop, and left without a tabindex,
    // an inline formula that a rounded width let scroll by a pixel was one.
    if (box.localName === "mjx-container" || box.matches("span.math")) {
      box.tabIndex = hidden > 1 ? 0 : -1;
    }
  };
  // A box's scroll event does not bubble, but the document sees it while capturing.
  document.addEventListener(
    "scroll",
    (event) => {
      if (event.target instanceof Element && event.target.matches(BOXES)) {
        mark(event.target);
      }
    },
    { capture: true, passive: true },
  );
  // A folded cell opening or closing: its boxes start or stop taking up room. (Closing
  // reports no change of size to the observer below.)
  document.addEventListener(
    "toggle",
    (event) => event.target.querySelectorAll?.(BOXES).forEach(mark),
    { capture: true },
  );
  // A box changes width with the window, while the theme's sidebar slides in or out, and
  // when a folded cell opens. Observing marks each box once, then at each change.
  const resized = new ResizeObserver((entries) => entries.forEach((entry) => mark(entry.target)));
  // Once MathJax has typeset (its formulas are the boxes then). Measuring them is what makes
  // the browser fetch MathJax's fonts, and a formula's width changes by a pixel or so when they
  // arrive, without the box changing size: every box is marked at once, and again then.
  window.addEventListener("load", () =>
    Promise.allSettled([window.MathJax?.startup?.promise])
      .then(() => {
        for (const box of document.querySelectorAll(BOXES)) {
          resized.observe(box);
          mark(box);
        }
        return document.fonts.ready;
      })
      .then(() => document.querySelectorAll(BOXES).forEach(mark)),
  );
})();
