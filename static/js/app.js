/* Small behaviours every page may use, kept out of the markup so the CSP can forbid inline
   script and style attributes:
   - a form with data-confirm asks before it submits;
   - a .progress bar takes its width from aria-valuenow. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    }
  });
  function sizeBars() {
    document.querySelectorAll(".progress[aria-valuenow] > span").forEach(function (bar) {
      var value = Number(bar.parentElement.getAttribute("aria-valuenow")) || 0;
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sizeBars);
  } else {
    sizeBars();
  }
})();
