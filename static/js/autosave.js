/* Autosave for the criterion form, and a copy in this browser of whatever is not saved yet.
 *
 * htmx posts the form as the user pauses; the server answers with the status line (and the
 * new version). Until a save succeeds, the typed text is kept in localStorage, so a dropped
 * connection or a closed tab loses nothing: the next visit offers it back.
 * Without JavaScript the form still works through its ordinary Save buttons.
 * Messages come from the form's data-msg-* attributes, translated by the template.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var key = form.dataset.draftKey;
  var FIELDS = ["level", "current_strengths", "opportunities", "confidence", "language",
                "not_applicable", "not_applicable_reason"];

  function status(state, text) {
    var el = document.getElementById("save-status");
    if (!el) return;
    el.className = "save-status " + state;
    el.dataset.state = state;
    el.textContent = text;
  }

  function values() {
    var data = {};
    FIELDS.forEach(function (name) {
      var inputs = form.querySelectorAll("[name='" + name + "']");
      inputs.forEach(function (input) {
        if (input.type === "radio") { if (input.checked) data[name] = input.value; }
        else if (input.type === "checkbox") { data[name] = input.checked; }
        else { data[name] = input.value; }
      });
      if (!(name in data)) data[name] = "";
    });
    return data;
  }

  function apply(data) {
    FIELDS.forEach(function (name) {
      form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
        if (input.type === "radio") input.checked = (String(data[name]) === input.value);
        else if (input.type === "checkbox") input.checked = !!data[name];
        else input.value = data[name] || "";
      });
    });
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  var loaded = values();

  function remember() {
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), data: values() })); }
    catch (e) { /* storage full or disabled: autosave still runs */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) {} }

  // Offer back what this browser kept from an earlier visit.
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  var banner = document.getElementById("restore-banner");
  if (kept && kept.data && !same(kept.data, loaded) && banner) {
    banner.hidden = false;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      apply(kept.data);
      banner.hidden = true;
      status("unsaved", form.dataset.msgRestored);
      htmx.trigger(form, "change");
    });
    banner.querySelector("[data-discard]").addEventListener("click", function () {
      forget();
      banner.hidden = true;
    });
  } else if (kept) {
    forget();
  }

  form.addEventListener("input", function () { remember(); status("unsaved", form.dataset.msgUnsaved); });
  form.addEventListener("change", remember);

  // Skip a save when nothing changed since the last one sent (e.g. the "change" that fires
  // when a textarea loses focus right after its text was already autosaved).
  var lastSent = JSON.stringify(loaded);
  form.addEventListener("htmx:confirm", function (evt) {
    if (JSON.stringify(values()) === lastSent) evt.preventDefault();
  });
  form.addEventListener("htmx:beforeRequest", function () {
    lastSent = JSON.stringify(values());
    status("saving", form.dataset.msgSaving);
  });
  form.addEventListener("htmx:beforeSwap", function (evt) {
    // Show the server's explanation for a conflict or a refused value too.
    if (evt.detail.xhr.status === 409 || evt.detail.xhr.status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  var compare = form.querySelector("[data-compare]");
  form.addEventListener("htmx:afterSwap", function () {
    var el = document.getElementById("save-status");
    if (el && el.dataset.state === "saved") forget();
    if (compare) compare.hidden = !(el && el.dataset.state === "conflict");
  });
  function offline() {
    lastSent = null;  // let the next pause try again
    status("unsaved", form.dataset.msgOffline);
  }
  form.addEventListener("htmx:sendError", offline);
  form.addEventListener("htmx:responseError", function (evt) {
    if (evt.detail.xhr.status !== 409 && evt.detail.xhr.status !== 422) offline();
  });
  // After a conflict, post the whole form the ordinary way (form.submit() bypasses htmx):
  // the server answers with both versions side by side and a form to merge them.
  if (compare) compare.addEventListener("click", function () { remember(); form.submit(); });
  // A full-page Save clears the browser copy once the server has it.
  form.addEventListener("submit", function () { remember(); });
})();
