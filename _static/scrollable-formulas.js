/*
 * A formula wider than the column scrolls sideways; a keyboard reader must be able to reach
 * it to scroll it (WCAG 2.1.1; axe's scrollable-region-focusable). MathJax is told to keep
 * formulas out of the tab order (mathjax3_config in _config.yml), so once it has typeset the
 * page, once its fonts are in, and whenever the window changes size, exactly the formulas
 * that overflow become tab stops, as pydata-sphinx-theme does for wide code blocks.
 */
(() => {
  const update = () => {
    for (const formula of document.querySelectorAll("mjx-container")) {
      if (formula.scrollWidth > formula.clientWidth) {
        formula.tabIndex = 0;
      } else {
        formula.removeAttribute("tabindex");
      }
    }
  };
  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(update, 200);
  });
  // Measuring the typeset formulas is what makes the browser fetch MathJax's fonts, and a
  // formula's width changes by a pixel or so when they arrive: measure again then.
  window.addEventListener("load", () =>
    window.MathJax?.startup?.promise
      ?.then(() => {
        update();
        return document.fonts.ready;
      })
      .then(update),
  );
})();
