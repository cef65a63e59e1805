/*
 * The full-screen button shows only where the browser can take a page full screen. Safari on
 * an iPhone cannot (there only a video fills the screen), and the book theme's button did
 * nothing when tapped. tests/browser/test_navigation.py checks both kinds of browser.
 */
(() => {
  if (document.fullscreenEnabled || document.webkitFullscreenEnabled) {
    return;
  }
  const hide = () => {
    for (const button of document.querySelectorAll(".btn-fullscreen-button")) {
      button.hidden = true;
    }
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", hide);
  } else {
    hide();
  }
})();
