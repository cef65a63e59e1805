/*
 * The sidebar buttons that readers see work on every width.
 *
 * pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 bind their handlers with
 * document.querySelector(".primary-toggle") and (".secondary-toggle"): the FIRST such button,
 * which is a hidden one in the page header. The buttons shown in the article header
 * (the menu button and "On this page") therefore did nothing: no drawer below 992 px, no
 * collapsing sidebar above. Each visible toggle passes its click on to the first one, where the
 * themes' own code opens the drawer (narrow) or collapses the sidebar (wide).
 * Each visible toggle also says whether its panel is showing (aria-expanded), which the themes
 * leave unsaid: a screen reader otherwise hears the same "Site navigation, button" whether the
 * sidebar is there or not. On a wide screen the menu button collapses the sidebar in place (the
 * book theme's class pst-sidebar-hidden); narrower, each button opens its panel as a modal
 * drawer (a <dialog>), which Escape or a click outside closes without the button.
 * tests/browser/test_navigation.py checks this at 390, 820 and 1280 px.
 */
(() => {
  const wide = window.matchMedia("(min-width: 992px)");
  // The toggles matching `selector`: the first is the themes' bound one, the rest are shown.
  const wire = (selector, label, sidebarId, drawerId, collapsesInPlace) => {
    const [bound, ...visible] = document.querySelectorAll(selector);
    for (const button of visible) {
      button.setAttribute("aria-label", label);
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
    const sidebar = document.getElementById(sidebarId);
    const drawer = document.getElementById(drawerId);
    if (!sidebar || !drawer) return;
    const update = () => {
      const inPlace = collapsesInPlace && wide.matches && !sidebar.classList.contains("pst-sidebar-hidden");
      for (const button of visible) button.setAttribute("aria-expanded", String(drawer.open || inPlace));
    };
    new MutationObserver(update).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
    new MutationObserver(update).observe(drawer, { attributes: true, attributeFilter: ["open"] });
    wide.addEventListener("change", update);
    update();
  };
  const start = () => {
    wire(".primary-toggle", "Site navigation", "pst-primary-sidebar", "pst-primary-sidebar-modal", true);
    wire(".secondary-toggle", "On this page", "pst-secondary-sidebar", "pst-secondary-sidebar-modal", false);
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
