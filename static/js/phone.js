/* Narrow screens: the header's menu button, and guidance that folds out of the way.
   Loaded in <head> without defer (it is tiny and cached) so that it runs before the first
   paint: the page is marked scripted at once, and the CSS draws the header collapsed from
   the start instead of flashing the open menu. Without JavaScript the class is never set,
   the menu button stays hidden and the navigation is simply shown (progressive enhancement).
   - .menu-toggle toggles aria-expanded and .menu-open on its header; Escape closes the
     menu and gives focus back to the button.
   - <details data-fold-narrow open> (a criterion's guidance, the progress list) is folded on
     narrow screens as the parser inserts it, so the answer form is within the first screen;
     on a wide screen it stays open, and it opens again if the window becomes wide. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function setMenu(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var header = button.closest(".site-header");
    if (header) header.classList.toggle("menu-open", open);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".menu-toggle");
    if (button) setMenu(button, button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var button = document.querySelector('.menu-toggle[aria-expanded="true"]');
    if (!button) return;
    setMenu(button, false);
    button.focus();
  });

  var narrow = window.matchMedia("(max-width: 60rem)");
  function fold() {
    document.querySelectorAll("details[data-fold-narrow]:not([data-fold-seen])").forEach(function (d) {
      d.setAttribute("data-fold-seen", "");
      if (narrow.matches && d.open) {
        d.open = false;
        d.setAttribute("data-folded", "");
      }
    });
  }
  // Parser-inserted nodes are reported before the browser next paints.
  var observer = new MutationObserver(fold);
  observer.observe(root, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    fold();
    observer.disconnect();
  });
  function unfoldWhenWide() {
    if (narrow.matches) return;
    document.querySelectorAll("details[data-folded]").forEach(function (d) {
      d.removeAttribute("data-folded");
      d.open = true;
    });
  }
  if (narrow.addEventListener) narrow.addEventListener("change", unfoldWhenWide);
})();
