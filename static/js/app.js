/* Small behaviours every page may use, kept out of the markup so the CSP can forbid inline
   script and style attributes:
   - a form with data-confirm asks before it submits;
   - a form being submitted cannot be submitted twice (its buttons wait);
   - leaving a page with unsaved text in a form asks first (beforeunload);
   - a field with data-maxlength shows how many characters it holds, and how many are over;
   - signing out removes the unsaved text this browser kept for the person signing out;
   - a .progress bar takes its width from aria-valuenow;
   - a refused form's error summary takes focus, and its links move focus to their fields.
   Messages come from data-msg-* attributes on <body>, translated by the template. */
(function () {
  "use strict";
  var body = document.body;

  function serialize(form) {
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "hidden" || el.type === "submit" ||
          el.type === "button" || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) parts.push(el.name + "=" + el.value);
      } else if (el.type === "file") {
        Array.prototype.forEach.call(el.files || [], function (f) { parts.push(el.name + "=" + f.name); });
      } else {
        parts.push(el.name + "=" + String(el.value).replace(/\r\n/g, "\n"));
      }
    });
    return JSON.stringify(parts);
  }
  window.ovpForms = { serialize: serialize };

  function postForms() {
    return Array.prototype.filter.call(document.forms, function (f) {
      return (f.getAttribute("method") || "").toLowerCase() === "post";
    });
  }
  function isDirty(form) {
    if (form.dataset.submitting) return false;
    if (typeof form.ovpIsDirty === "function") return form.ovpIsDirty();
    if (form.hasAttribute("data-unsaved-on-load")) return true;
    return serialize(form) !== form.ovpSavedState;
  }

  function setButtons(form, waiting) {
    form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
      if (waiting) b.setAttribute("aria-disabled", "true"); else b.removeAttribute("aria-disabled");
    });
  }

  function forgetDrafts() {
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && (k.indexOf("ovp-draft-") === 0 || k.indexOf("ovp-profile-") === 0)) keys.push(k);
      }
      keys.forEach(function (k) { localStorage.removeItem(k); });
    } catch (e) { /* storage disabled: nothing was kept */ }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if (form.dataset.submitting) {  // a second click while the first is on its way
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute("data-sign-out")) forgetDrafts();
    if ((form.getAttribute("method") || "").toLowerCase() === "post") {
      form.dataset.submitting = "1";
      setButtons(form, true);
    }
  });
  // Back/forward cache: a page shown again may be submitted again.
  window.addEventListener("pageshow", function () {
    postForms().forEach(function (form) { delete form.dataset.submitting; setButtons(form, false); });
  });

  window.addEventListener("beforeunload", function (event) {
    if (postForms().some(isDirty)) {
      event.preventDefault();
      event.returnValue = "";  // older Chromium needs it set to show the dialog
    }
  });

  function counter(field) {
    var max = Number(field.getAttribute("data-maxlength"));
    var out = document.createElement("span");
    out.className = "char-count";
    out.id = (field.id || field.name) + "-count";
    field.insertAdjacentElement("afterend", out);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    // Short one-line fields (a name, a currency code) show the count only near the limit.
    var quiet = field.tagName !== "TEXTAREA";
    function update() {
      var n = field.value.replace(/\r\n/g, "\n").length;
      var over = n > max;
      out.hidden = quiet && n < 0.8 * max;
      out.classList.toggle("over", over);
      out.textContent = (over ? body.dataset.msgCharsOver : body.dataset.msgChars || "{count} / {max}")
        .replace("{count}", n.toLocaleString()).replace("{max}", max.toLocaleString())
        .replace("{over}", (n - max).toLocaleString());
    }
    field.addEventListener("input", update);
    field.ovpUpdateCount = update;
    update();
  }

  function sizeBars() {
    document.querySelectorAll(".progress[aria-valuenow] > span").forEach(function (bar) {
      var value = Number(bar.parentElement.getAttribute("aria-valuenow")) || 0;
      bar.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  // A refused form: the error summary takes focus, so a screen reader reads it first and a
  // keyboard user goes from it straight to each field it links to.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary[tabindex='-1']");
    if (summary) summary.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    field.scrollIntoView({ block: "center" });
  });

  function start() {
    focusErrorSummary();
    sizeBars();
    document.querySelectorAll("[data-maxlength]").forEach(counter);
    postForms().forEach(function (form) { form.ovpSavedState = serialize(form); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
