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
 * drawer (a <dialog>), which Escape or a click outside closes without the button, and which
 * closes when the reader picks a section in it, the focus going to that section's heading. The
 * shown toggles' tooltips say their names, and each drawer and the search dialog is named.
 * tests/browser/test_navigation.py checks this at 320, 390, 820 and 1280 px.
 */
(() => {
  const wide = window.matchMedia("(min-width: 992px)");
  // The toggles matching `selector`: the first is the themes' bound one, the rest are shown.
  const wire = (selector, label, sidebarId, drawerId, collapsesInPlace) => {
    const [bound, ...visible] = document.querySelectorAll(selector);
    for (const button of visible) {
      button.setAttribute("aria-label", label);
      // The tooltip says the same, not the themes' "Toggle primary sidebar": Bootstrap keeps
      // a tooltip's text in data-bs-original-title once it has set the tooltip up.
      const text = button.hasAttribute("data-bs-original-title") ? "data-bs-original-title" : "title";
      button.setAttribute(text, label);
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    }
    const sidebar = document.getElementById(sidebarId);
    const drawer = document.getElementById(drawerId);
    if (!sidebar || !drawer) return;
    // A screen reader said only "dialog" on opening it.
    drawer.setAttribute("aria-label", label);
    // A section picked from the "On this page" drawer is where the reader goes: the drawer,
    // which would cover most of a phone's screen, closes (the link still scrolls there), and
    // the focus goes to the section's heading, where a screen reader reads on. The themes hand
    // it back to the drawer's button, in the header, when the drawer closes; this listener,
    // added after theirs, runs after it. A link picked with Enter may find the drawer closed
    // already, with its close event to come: the themes read the click Enter makes, at (0, 0),
    // as a click outside the drawer.
    drawer.addEventListener("click", (event) => {
      const link = event.target.closest('a[href^="#"]');
      if (!link) return;
      const section = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      const heading = section?.querySelector(":scope > :is(h1, h2, h3, h4, h5, h6)");
      if (heading) {
        drawer.addEventListener("close", () => {
          heading.tabIndex = -1;
          heading.focus({ preventScroll: true });
        }, { once: true });
      }
      if (drawer.open) drawer.close();
    });
    const update = () => {
      const inPlace = collapsesInPlace && wide.matches && !sidebar.classList.contains("pst-sidebar-hidden");
      for (const button of visible) button.setAttribute("aria-expanded", String(drawer.open || inPlace));
    };
    new MutationObserver(update).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
    new MutationObserver(update).observe(drawer, { attributes: true, attributeFilter: ["open"] });
    wide.addEventListener("change", update);
    update();
  };
  // The search dialog, closed, gives the focus back to the button that opened it. Opened by the
  // article header's Search button on a phone, it left the focus on the page itself, and a
  // keyboard's next Tab started again from the top: the button had lost the focus before the
  // dialog opened, so the browser had nothing to return to. Ctrl+K needs no help.
  const wireSearch = () => {
    const dialog = document.getElementById("pst-search-dialog");
    if (!dialog) return;
    dialog.setAttribute("aria-label", "Search");
    let opener = null;
    for (const button of document.querySelectorAll(".search-button__button")) {
      button.addEventListener("click", () => { opener = button; });
    }
    // The themes' Escape handler takes the focus from the closed dialog's field after the
    // close event: the button takes it once that is done.
    dialog.addEventListener("close", () => setTimeout(() => {
      const focused = document.activeElement;
      if (opener && (!focused || focused === document.body || dialog.contains(focused))) opener.focus();
      opener = null;
    }));
  };
  const start = () => {
    wire(".primary-toggle", "Site navigation", "pst-primary-sidebar", "pst-primary-sidebar-modal", true);
    wire(".secondary-toggle", "On this page", "pst-secondary-sidebar", "pst-secondary-sidebar-modal", false);
    wireSearch();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
