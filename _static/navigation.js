/*
 * The sidebar buttons that readers see work on every width.
 *
 * pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 bind their handlers with
 * document.querySelector(".primary-toggle") and (".secondary-toggle"): the FIRST such button,
 * which is a hidden one in the page header. The buttons shown in the article header
 * (the menu button and "On this page") therefore did nothing: no drawer below 992 px, no
 * collapsing sidebar above. Each visible toggle passes its click on to the first one, where the
 * themes' own code opens the drawer (narrow) or collapses the sidebar (wide).
 * tests/browser/test_navigation.py checks this at 390, 820 and 1280 px.
 */
(() => {
  const connect = (selector, label) => {
    const [bound, ...visible] = document.querySelectorAll(selector);
    for (const button of visible) {
      button.setAttribute("aria-label", label);
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
  };
  const start = () => {
    connect(".primary-toggle", "Site navigation");
    connect(".secondary-toggle", "On this page");
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
