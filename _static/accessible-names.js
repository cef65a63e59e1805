/*
 * Each of the theme's buttons is named by what a reader sees on it (WCAG 2.5.3, "label in
 * name"; axe's label-content-name-mismatch). pydata-sphinx-theme 0.17.1 labels
 *  - the search field "Search" while it shows "Search Ctrl+K" (on a Mac, "Search ⌘+K"): it is
 *    named by what it shows, and the key is declared as its shortcut, as the theme reads it;
 *  - the colour-mode button "Color mode" while its icons are images titled "Light", "Dark"
 *    or "System Settings": the icons become decoration and the button's name says the mode.
 * Both buttons exist only when JavaScript runs (class pst-js-only), as this script does.
 * Below: solutions' buttons, the header menus' items, the boxes that scroll, and copying.
 * tests/browser/test_accessibility.py runs axe-core on every page; test_page_semantics.py
 * reads the names from Chromium's accessibility tree.
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

  // Each solution's button is named by the solution's title, which holds it, not by
  // sphinx-togglebutton's "Toggle hidden content", the same for every one: tabbing from
  // solution to solution, a screen reader never said which one a button opens. Whether it is
  // open, the button says itself (aria-expanded); its hidden hint ("Click to show") is left
  // out, a mouse's words.
  const nameSolutionButtons = () => {
    for (const button of document.querySelectorAll(".admonition-title > button.toggle-button")) {
      const title = Array.from(button.parentElement.childNodes).filter((node) => node !== button);
      const words = title.map((node) => node.textContent).join("");
      button.setAttribute("aria-label", words.replace(/\s+/g, " ").trim());
    }
  };

  // The header's menus named their items by an extension alone (".ipynb", and ".pdf" for the
  // item that prints the page), and the Colab item "Colab logo Colab" (its logo's alt text,
  // then its words). Each name keeps the words shown (WCAG 2.5.3).
  const nameHeaderMenus = () => {
    for (const item of document.querySelectorAll(".btn-download-source-button")) {
      item.setAttribute("aria-label", `Download this page's source, ${item.textContent.trim()}`);
    }
    for (const item of document.querySelectorAll(".btn-download-pdf-button")) {
      item.setAttribute("aria-label", `Print this page, ${item.textContent.trim()}`);
    }
    for (const logo of document.querySelectorAll(".dropdown-launch-buttons img")) {
      logo.alt = "";
    }
  };

  // The theme makes each box that scrolls (a wide table, a long output or code block) a tab
  // stop, so that a keyboard can scroll it, but gives it no name or role: a screen reader
  // reaching one said nothing. Each is a named group while it is a tab stop.
  const BOX_NAMES = [
    [".pst-scrollable-table-container", "Table, scrolls"],
    [".cell_output .output, .cell_output pre", "Output, scrolls"],
    ["pre", "Code, scrolls"],
  ];
  const nameScrollingBox = (box) => {
    const name = BOX_NAMES.find(([selector]) => box.matches(selector))?.[1];
    if (!name) return;
    if (box.tabIndex === 0) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", name);
    } else if (box.getAttribute("aria-label") === name) {
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  };

  // A code block's copy button said "Copied!" (or that the copy failed) only in its tooltip
  // and its icon: a screen reader heard nothing of it. sphinx-copybutton's word is said in a
  // status region as it shows it (it then changes the button's tooltip and gives it the class
  // "success", whichever the outcome).
  const announceCopies = () => {
    const status = document.createElement("div");
    status.setAttribute("role", "status");
    status.className = "visually-hidden";
    document.body.append(status);
    new MutationObserver((records) => {
      for (const { target } of records) {
        // Emptied as the tooltip goes back, so that the next copy is said again.
        if (target.matches(".copybtn")) status.textContent = target.matches(".success") ? target.dataset.tooltip : "";
      }
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-tooltip"] });
  };

  const start = () => {
    announceCopies();
    nameSolutionButtons();
    nameHeaderMenus();
    const main = document.getElementById("main-content");
    if (main) {
      main.querySelectorAll(BOX_NAMES.map(([selector]) => selector).join(", ")).forEach(nameScrollingBox);
      new MutationObserver((records) => records.forEach((record) => nameScrollingBox(record.target)))
        .observe(main, { subtree: true, attributes: true, attributeFilter: ["tabindex"] });
    }
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
