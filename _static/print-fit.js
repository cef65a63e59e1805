/*
 * On paper nothing scrolls: a table or printed output wider than the page would be cut at its
 * edge (the PDF, which scripts/print_pdf.py prints with print media emulated, and a reader's
 * own print of a page). While the page is laid out for print, each such box is scaled down to
 * the page's width; on screen again, it is back at its size and scrolls sideways. Code and
 * text outputs wrap instead (reader.css), so only the wide tables shrink.
 * tests/browser/test_pdf.py checks the printed book.
 */
(() => {
  const BOXES = ".cell_output .output, .pst-scrollable-table-container";
  const print = window.matchMedia("print");
  const fit = () => {
    for (const box of document.querySelectorAll(BOXES)) {
      box.style.zoom = "";
      // Scaled text is laid out afresh and can come out a little wider: measure again.
      let zoom = 1;
      for (let pass = 0; pass < 3 && print.matches && box.scrollWidth > box.clientWidth + 1; pass++) {
        zoom *= box.clientWidth / box.scrollWidth;
        box.style.zoom = zoom;
      }
    }
  };
  print.addEventListener("change", fit);
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  // Emulated print media (the PDF) is in force from the start, and fonts change widths.
  window.addEventListener("load", () => document.fonts.ready.then(fit));
})();
