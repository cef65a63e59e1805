/*
 * A table, code block, printed output or formula wider than the column scrolls sideways, and
 * nothing but a cut-off word at its edge said so: on a phone the scrollbar of a long table sits
 * a screen below its first rows, and a formula cut at a sign looks complete. Each such box is marked with the side that hides more
 * (lesson5-more-left, lesson5-more-right), and reader.css fades that edge. The marks follow
 * the reader's scrolling and any change of the box's width; a box that fits has none.
 */
(() => {
  const BOXES = ".cell_output .output, .cell_output pre, div.highlight > pre, " +
    ".pst-scrollable-table-container, mjx-container[display='true']";
  const mark = (box) => {
    const style = getComputedStyle(box).overflowX;
    // A box in a folded cell hides nothing while the cell is closed.
    const scrolls = (style === "auto" || style === "scroll") && (box.checkVisibility?.() ?? true);
    const hidden = scrolls ? box.scrollWidth - box.clientWidth : 0;
    // A pixel's slack: zoomed pages round scroll positions to fractions.
    box.classList.toggle("lesson5-more-left", hidden > 1 && box.scrollLeft > 1);
    box.classList.toggle("lesson5-more-right", hidden > 1 && box.scrollLeft < hidden - 1);
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
  // Once the fonts are in and MathJax has typeset: both change how wide a box's content is.
  window.addEventListener("load", () =>
    Promise.all([document.fonts.ready, window.MathJax?.startup?.promise]).then(() =>
      document.querySelectorAll(BOXES).forEach((box) => resized.observe(box)),
    ),
  );
})();
