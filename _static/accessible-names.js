/*
 * Each of the theme's buttons is named by what a reader sees on it (WCAG 2.5.3, "label in
 * name"; axe's label-content-name-mismatch). pydata-sphinx-theme 0.17.1 labels
 *  - the search field "Search" while it shows "Search Ctrl+K" (on a Mac, "Search ⌘+K"): it is
 *    named by what it shows, and the key is declared as its shortcut, as the theme reads it;
 *  - the colour-mode button "Color mode" while its icons are images titled "Light", "Dark"
 *    or "System Settings": the icons become decoration and the button's name says the mode.
 * Both buttons exist only when JavaScript runs (class pst-js-only), as this script does.
 * tests/browser/test_accessibility.py runs axe-core on every page.
 */
(() => {
  // The theme's own test: on these it shows ⌘ (by the time this runs) and answers only
  // Meta+K; elsewhere, Ctrl and Control+K.
  const mac = navigator.platform.startsWith("Mac") || navigator.platform === "iPhone";
  const nameSearchFields = () => {
    for (const field of document.querySelectorAll("button.search-button-field")) {
      field.setAttribute("aria-label", field.textContent.replace(/\s+/g, " ").trim());
      field.setAttribute("aria-keyshortcuts", mac ? "Meta+K" : "Control+K");
    }
  };

  const modeNames = { light: "light", dark: "dark", auto: "system setting" };
  const nameModeButton = (button) => {
    for (const icon of button.querySelectorAll(".theme-switch")) {
      icon.removeAttribute("title");
      icon.removeAttribute("role");
      icon.removeAttribute("aria-labelledby");
      icon.setAttribute("aria-hidden", "true");
      icon.querySelector("title")?.remove();
    }
    const mode = document.documentElement.dataset.mode || "auto";
    button.setAttribute("aria-label", `Color mode: ${modeNames[mode] || mode}`);
  };

  const start = () => {
    nameSearchFields();
    const buttons = document.querySelectorAll(".theme-switch-button");
    const update = () => buttons.forEach(nameModeButton);
    update();
    // Font Awesome swaps each <i> icon for an <svg> (titles included) when it gets to it,
    // and the theme changes data-mode on <html> at each click.
    const observer = new MutationObserver(update);
    buttons.forEach((button) => observer.observe(button, { childList: true }));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-mode"] });
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
