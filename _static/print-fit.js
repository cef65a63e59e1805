/*
 * On paper nothing scrolls: a table or printed output wider than the page would be cut at its
 * edge. The PDF (scripts/print_pdf.py) lays the one-page book out with print media emulated
 * from the start, in a window as wide as the A4 page's text: once MathJax has typeset and the
 * fonts are in, each box wider than that is scaled down to it. On screen nothing changes. Code
 * and text outputs wrap instead (reader.css), so only the wide tables shrink.
 * tests/browser/test_pdf.py checks the printed book at that width.
 */
(() => {
  const BOXES = ".cell_output .output, .pst-scrollable-table-container";
  const fit = () => {
    if (!window.matchMedia("print").matches) {
      return;
    }
    for (const box of document.querySelectorAll(BOXES)) {
      // Scaled text is laid out afresh and can come out a little wider: measure again.
      let zoom = 1;
      for (let pass = 0; pass < 3 && box.scrollWidth > box.clientWidth + 1; pass++) {
        zoom *= box.clientWidth / box.scrollWidth;
        box.style.zoom = zoom;
      }
    }
  };
  window.addEventListener("load", () =>
    Promise.allSettled([window.MathJax?.startup?.promise])
      .then(() => document.fonts.ready)
      .then(fit),
  );
})();
