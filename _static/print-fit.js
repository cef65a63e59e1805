/*
 * On paper nothing scrolls: a table or printed output wider than the page would be cut at its
 * edge. Once the page is laid out for print, each box wider than the page's text is scaled down
 * to it; on screen nothing changes. Code and text outputs wrap instead (reader.css), so only the
 * wide tables shrink. The PDF (scripts/print_pdf.py) lays the one-page book out with print media
 * emulated from the start, in a window as wide as the A4 page's text: the boxes are fitted once
 * MathJax has typeset and the fonts are in. A reader who prints a page (Ctrl+P) starts print
 * media after all that, and Chromium tells the page (a change of the "print" media query) once
 * it has laid the page out for print, where the fitted boxes are what it prints.
 * A box that would shrink below LANDSCAPE_BELOW of its size (the widest tables, at about 6 pt)
 * prints instead on pages of its own turned sideways (reader.css's @page lesson5-landscape,
 * A4 with the same side margins), fitted to that page's text width: half as large again.
 * Paper is printed light: in dark mode a reader's print came out as pale text, or with the
 * page's background, as a dark page on which headings all but vanished.
 * tests/browser/test_pdf.py checks the printed book, and a chapter printed from the site.
 */
(() => {
  const BOXES = ".cell_output .output, .pst-scrollable-table-container";
  const LANDSCAPE_BELOW = 0.6;
  // The text width of reader.css's landscape page: 297 mm less its two 16 mm margins, in CSS px.
  const LANDSCAPE_TEXT_WIDTH = ((297 - 2 * 16) / 25.4) * 96;
  const printMedia = window.matchMedia("print");
  const unfit = () => {
    for (const box of document.querySelectorAll(BOXES)) {
      box.style.zoom = "";
      box.classList.remove("print-landscape");
    }
  };
  const shrink = (box) => {
    // Scaled text is laid out afresh and can come out a little wider: measure again. A browser
    // that ignores CSS zoom measures the box alike after each pass: one pass is its answer,
    // where three would multiply the ratio three times and send a box sideways for nothing.
    let zoom = 1;
    for (let pass = 0; pass < 3 && box.scrollWidth > box.clientWidth + 1; pass++) {
      const [scrolled, shown] = [box.scrollWidth, box.clientWidth];
      zoom *= shown / scrolled;
      box.style.zoom = zoom;
      if (box.scrollWidth === scrolled && box.clientWidth === shown) {
        break;
      }
    }
    return zoom;
  };
  const fit = () => {
    if (!printMedia.matches) {
      return;
    }
    // A box is measured at its own size: a page printed twice was fitted the first time.
    unfit();
    // The page's text is as wide as the window laid out for print.
    const wider = LANDSCAPE_TEXT_WIDTH - document.documentElement.clientWidth;
    for (const box of document.querySelectorAll(BOXES)) {
      if (shrink(box) >= LANDSCAPE_BELOW || wider <= 0) {
        continue;
      }
      // Measured as the landscape page lays it out. In a reader's print the page turned
      // sideways is laid out at its own width as soon as the box is moved to it; where print is
      // only emulated (the PDF's window), its parent, unscaled, is made as wide for the time of
      // the measure.
      const parent = box.parentElement;
      const upright = parent.clientWidth;
      box.style.zoom = "";
      box.classList.add("print-landscape");
      const short = upright + wider - parent.clientWidth;
      if (short > 1) {
        parent.style.marginRight = `${-short}px`;
      }
      shrink(box);
      parent.style.marginRight = "";
    }
  };
  window.addEventListener("load", () =>
    Promise.allSettled([window.MathJax?.startup?.promise])
      .then(() => document.fonts.ready)
      .then(fit),
  );
  printMedia.addEventListener("change", () => (printMedia.matches ? fit() : unfit()));

  let screenTheme = null;
  window.addEventListener("beforeprint", () => {
    const root = document.documentElement;
    if (root.dataset.theme === "dark") {
      screenTheme = "dark";
      root.dataset.theme = "light";
    }
  });
  window.addEventListener("afterprint", () => {
    if (screenTheme) {
      document.documentElement.dataset.theme = screenTheme;
      screenTheme = null;
    }
  });
})();
