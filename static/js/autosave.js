/* Autosave for a form marked data-autosave (a criterion's answer, the office profile), and a
 * copy in this browser of whatever is not saved yet.
 *
 * htmx posts the form as the user pauses; the server answers with the status line and the
 * new version (and, when it merged a colleague's change, the stored values, which are put
 * into fields the user has not touched since). Until a save succeeds, the typed text is kept
 * in localStorage under a key that names the signed-in user (removed at sign-out), so a
 * dropped connection or a closed tab loses nothing and nobody else is offered it.
 * A Save button pressed while an autosave is on its way waits for it, so the page never
 * reports the user's own autosave as somebody else's change.
 * Without JavaScript the form still works through its ordinary Save buttons.
 * Messages come from the form's data-msg-* attributes, translated by the template.
 */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var key = form.dataset.draftKey;

  function norm(v) { return typeof v === "string" ? v.replace(/\r\n/g, "\n") : v; }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "hidden" &&
        el.type !== "file" && el.type !== "submit" && el.type !== "button" &&
        el.tagName !== "FIELDSET" && el.tagName !== "BUTTON";
    });
  }
  function values() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (!(el.name in data)) data[el.name] = "";
        if (el.checked) data[el.name] = el.value;
      } else if (el.type === "checkbox") {
        data[el.name] = el.checked;
      } else {
        data[el.name] = norm(el.value);
      }
    });
    return data;
  }
  // The values the page was rendered with (what the server holds), whatever was typed
  // since: on a slow link people type before this script has run.
  function rendered() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "radio") {
        if (!(el.name in data)) data[el.name] = "";
        if (el.defaultChecked) data[el.name] = el.value;
      } else if (el.type === "checkbox") {
        data[el.name] = el.defaultChecked;
      } else if (el.tagName === "SELECT") {
        var chosen = Array.prototype.filter.call(el.options, function (o) { return o.defaultSelected; });
        data[el.name] = chosen.length ? chosen[0].value : (el.options.length ? el.options[0].value : "");
      } else {
        data[el.name] = norm(el.defaultValue);
      }
    });
    return data;
  }
  function setField(name, value) {
    fields().forEach(function (el) {
      if (el.name !== name) return;
      if (el.type === "radio") el.checked = (String(value) === el.value);
      else if (el.type === "checkbox") el.checked = !!value;
      else el.value = value == null ? "" : value;
      if (el.ovpUpdateCount) el.ovpUpdateCount();
    });
  }
  function apply(data) { Object.keys(data).forEach(function (n) { setField(n, data[n]); }); }
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function status(state, text) {
    var el = document.getElementById("save-status");
    if (!el) return;
    el.className = "save-status " + state;
    el.dataset.state = state;
    el.textContent = text;
  }

  function remember() {
    try { localStorage.setItem(key, JSON.stringify({ at: Date.now(), data: values() })); }
    catch (e) { /* storage full or disabled: autosave still runs */ }
  }
  function forget() { try { localStorage.removeItem(key); } catch (e) {} }

  var loaded = rendered();
  // What the server holds, as far as this page knows: the basis of "unsaved".
  var lastSent = JSON.stringify(loaded);
  var sent = loaded;
  var inFlight = false;
  var pendingSubmit = null;
  // After a conflict every autosave would conflict again (this copy's version is stale):
  // hold them, keep the status line and its Compare button where they are (a click on a
  // button that moved under the pointer is lost), and keep the text in this browser.
  var conflicted = false;

  if (form.hasAttribute("data-forget-draft")) forget();  // a full-page Save just succeeded
  // Offer back what this browser kept from an earlier visit by this user.
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

  // New rows (a funding source not added yet) are saved only by the Save button.
  function pendingRows() {
    return Array.prototype.some.call(form.querySelectorAll("[data-new-row]"), function (row) {
      return Array.prototype.some.call(row.querySelectorAll("input, select"), function (el) {
        if (el.type === "hidden") return false;
        if (el.type === "checkbox") return el.checked;
        return el.value !== "";
      });
    });
  }
  form.ovpIsDirty = function () {
    return inFlight || pendingRows() || JSON.stringify(values()) !== lastSent;
  };

  form.addEventListener("input", function () {
    remember();
    if (!conflicted) status("unsaved", form.dataset.msgUnsaved);
  });
  // Typed before this script ran: keep it and save it as soon as htmx is ready.
  if (!same(values(), loaded)) {
    remember();
    status("unsaved", form.dataset.msgUnsaved);
    document.addEventListener("DOMContentLoaded", function () {
      setTimeout(function () { htmx.trigger(form, "change"); }, 0);
    });
  }
  form.addEventListener("change", remember);

  // Skip a save when nothing changed since the last one sent (e.g. the "change" that fires
  // when a textarea loses focus right after its text was already autosaved).
  form.addEventListener("htmx:confirm", function (evt) {
    if (conflicted || JSON.stringify(values()) === lastSent) evt.preventDefault();
  });
  form.addEventListener("htmx:beforeRequest", function () {
    inFlight = true;
    sent = values();
    lastSent = JSON.stringify(sent);
    status("saving", form.dataset.msgSaving);
  });
  form.addEventListener("htmx:afterRequest", function () {
    inFlight = false;
    if (pendingSubmit) {
      var submitter = pendingSubmit;
      pendingSubmit = null;
      // Now with the version that autosave got back: submit as the user asked.
      if (form.requestSubmit) form.requestSubmit(submitter === true ? undefined : submitter);
      else form.submit();
    }
  });
  // A Save button pressed while an autosave is on its way waits for it.
  form.addEventListener("submit", function (evt) {
    remember();
    if (inFlight) {
      evt.preventDefault();
      pendingSubmit = evt.submitter || true;
      status("saving", form.dataset.msgSaving);
    }
  });

  form.addEventListener("htmx:beforeSwap", function (evt) {
    // Show the server's explanation for a conflict, a refused value or a refused save.
    var code = evt.detail.xhr.status;
    var ours = /id="save-status"/.test(evt.detail.xhr.responseText || "");
    if (ours && (code === 403 || code === 409 || code === 422)) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
  var compare = form.querySelector("[data-compare]");
  form.addEventListener("htmx:afterSwap", function () {
    var el = document.getElementById("save-status");
    var state = el && el.dataset.state;
    conflicted = state === "conflict";
    if (state === "saved") {
      var now = values();
      var untouched = same(now, sent);
      var stored = {};
      Object.keys(sent).forEach(function (n) { stored[n] = sent[n]; });
      if (el.dataset.values) {
        // A colleague's change was merged in: show it in every field not edited since.
        var server = JSON.parse(el.dataset.values);
        Object.keys(server).forEach(function (n) {
          if (!(n in sent)) return;
          var value = typeof server[n] === "string" ? norm(server[n]) : server[n];
          stored[n] = value;
          if (!same(value, sent[n]) && same(now[n], sent[n])) setField(n, value);
        });
      }
      lastSent = JSON.stringify(stored);
      // Funding rows carry the values they started from: that is now what was saved.
      // Not for a new row: autosave does not add it, and were its starting values set to
      // what was typed, the Save button would find it unchanged and drop it.
      form.querySelectorAll("input[type=hidden][name^='initial-']").forEach(function (h) {
        var n = h.name.slice(8);
        if (!(n in sent) || h.closest("[data-new-row]")) return;
        h.value = typeof sent[n] === "boolean" ? (sent[n] ? "True" : "False") : sent[n];
      });
      if (untouched && !pendingRows()) forget(); else remember();
      if (pendingRows() && form.dataset.msgPending) {
        el.textContent = el.textContent + " " + form.dataset.msgPending;
      }
    }
    if (compare) compare.hidden = state !== "conflict";
  });
  function failed(message) {
    lastSent = null;  // let the next pause try again
    status("unsaved", message);
  }
  form.addEventListener("htmx:sendError", function () { failed(form.dataset.msgOffline); });
  form.addEventListener("htmx:responseError", function (evt) {
    var code = evt.detail.xhr.status;
    if (code === 409 || code === 422) return;
    if (code === 403) failed(form.dataset.msg403);
    else if (code === 404) failed(form.dataset.msg404);
    // Django answers a request body over DATA_UPLOAD_MAX_MEMORY_SIZE with a 400.
    else if (code === 413 || code === 400) failed(form.dataset.msg413);
    else if (code === 401) failed(form.dataset.msgAuth);
    else failed(form.dataset.msg5xx);
  });
  // After a conflict, post the whole form the ordinary way (form.submit() bypasses htmx):
  // the server answers with the three versions and a form to merge them.
  if (compare) compare.addEventListener("click", function () {
    remember();
    form.dataset.submitting = "1";  // leaving to compare is no loss: the text goes along
    form.submit();
  });
})();
