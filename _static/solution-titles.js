/*
 * A solution's title reads "Solution to Exercise N (title)", and sphinx-exercise makes the
 * exercise's name a link to it, most of the title. A click or tap on that link, or Enter on it,
 * jumped to the exercise and left the solution closed: sphinx-togglebutton opens a solution
 * only for a click on its title itself. The exercise stands just above its solution, so the
 * name becomes plain text, and a click anywhere on the title opens the solution.
 * tests/browser/test_navigation.py checks this.
 */
(() => {
  const start = () => {
    for (const link of document.querySelectorAll(".solution > .admonition-title > a")) {
      link.replaceWith(...link.childNodes);
    }
  };
  // As the other scripts here: loaded after the document was parsed, it runs at once.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
