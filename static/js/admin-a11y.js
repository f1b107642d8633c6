/* What Django's admin lacks for WCAG 2.1 AA, added once the page is drawn:
   - the autocomplete boxes (select2) are named by their field's label, not only by the value
     they show (which is empty until something is chosen);
   - every field in a tabular inline is named by its column heading (and its row's object),
     as a sighted reader pairs them; rows added with "Add another" too. */
(function () {
  "use strict";

  function nameAutocompletes(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT" || !select.id) return;
      var label = document.querySelector('label[for="' + select.id + '"]');
      if (!label) return;
      if (!label.id) label.id = select.id + "-label";
      var shown = (box.getAttribute("aria-labelledby") || "").replace(label.id, "").trim();
      box.setAttribute("aria-labelledby", (label.id + " " + shown).trim());
      // The chosen value inside it is a read-only text box: named by the label too.
      var value = box.querySelector(".select2-selection__rendered[role=textbox]");
      if (value && value.id) value.setAttribute("aria-labelledby", label.id + " " + value.id);
    });
  }

  function nameInlineFields(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.replace(/\s+/g, " ").trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var original = row.querySelector("td.original p");
        var suffix = original ? " — " + original.textContent.replace(/\s+/g, " ").trim() : "";
        Array.prototype.forEach.call(row.children, function (cell, index) {
          var head = heads[index];
          if (!head) return;
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            var labelled = field.labels && field.labels.length;
            if (labelled || field.hasAttribute("aria-label") || field.hasAttribute("aria-labelledby")) return;
            field.setAttribute("aria-label", head + suffix);
          });
        });
      });
    });
  }

  function fix(root) {
    nameInlineFields(root);
    nameAutocompletes(root);
  }
  function start() {
    fix(document);
    // select2 draws its boxes after the admin's own scripts run; rows arrive with "Add another".
    new MutationObserver(function () { fix(document); }).observe(
      document.getElementById("content") || document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
