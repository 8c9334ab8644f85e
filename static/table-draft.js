// A table's draft form follows the draft as other members change it
// (templates/partials/table_draft.html; docs/protocol.md, "Tables").
// Progressive enhancement: without it, a save on an older revision is still
// merged on the server (the form says what its revision held).
//
// When a new draft arrives, each field the member has not changed since the
// form was last in step with the draft takes the draft's new value; a field
// they changed keeps their value and stays marked as changed. The form then
// names the new revision (and what it holds), so the next save is not stale.
// A field both the member and the new draft changed, to different values, is a
// conflict: the member's value is kept and the status line says who changed it.
(function () {
  "use strict";

  function keyOf(el) {
    return el.type === "checkbox" ? el.name + "=" + el.value : el.name;
  }

  function named(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("input[name], select[name], textarea[name]"),
      function (el) { return el.type !== "hidden" && el.type !== "submit"; }
    );
  }

  // Field key -> value as text (a ranking's drop-downs share a name: one field).
  function read(root) {
    var out = {};
    named(root).forEach(function (el) {
      var key = keyOf(el);
      if (el.type === "radio") {
        if (!(key in out)) out[key] = "";
        if (el.checked) out[key] = el.value;
      } else if (el.type === "checkbox") {
        out[key] = el.checked ? "1" : "";
      } else {
        out[key] = key in out ? out[key] + "\n" + el.value : el.value;
      }
    });
    return out;
  }

  function write(form, key, value) {
    var els = named(form).filter(function (el) { return keyOf(el) === key; });
    var parts = value.split("\n");
    els.forEach(function (el, i) {
      if (el.type === "radio") el.checked = el.value === value;
      else if (el.type === "checkbox") el.checked = value === "1";
      else el.value = els.length === 1 ? value : parts[i];
    });
    // Whatever listens to the member's input (a budget's points left) follows too.
    if (els.length) els[0].dispatchEvent(new Event("input", { bubbles: true }));
  }

  function whole(el) {
    return el.type === "radio" || el.tagName === "SELECT" || el.tagName === "TEXTAREA";
  }

  function marked(el) {
    return whole(el) ? el.closest("fieldset") : el.closest("label");
  }

  function labelOf(el) {
    var span = el.closest("label") && el.closest("label").querySelector("span");
    return span && span.firstChild ? span.firstChild.textContent.trim() : "";
  }

  // Mark the fields whose value is not the draft's: the member's unsaved changes.
  function mark(form) {
    var synced = form.__synced;
    if (!synced) return;
    var current = read(form);
    form.querySelectorAll(".field-changed").forEach(function (el) {
      el.classList.remove("field-changed");
    });
    named(form).forEach(function (el) {
      var key = keyOf(el);
      var box = marked(el);
      if (box && current[key] !== synced[key]) box.classList.add("field-changed");
    });
  }

  function say(text, error) {
    var status = document.getElementById("answer-status");
    if (!status || !text) return;
    status.textContent = text;
    status.className = "status " + (error ? "status-error" : "status-ok");
  }

  function sync() {
    var form = document.getElementById("draft-form");
    var draft = document.getElementById("table-draft");
    var fields = document.getElementById("table-draft-fields");
    if (!form || !draft || !fields || !fields.content) return;
    var base = form.querySelector("input[name=base]");
    var baseValue = form.querySelector("input[name=base_value]");
    var incoming = read(fields.content);
    // A form drawn with the draft is in step with it (a refused save's form
    // keeps the member's value: those fields show as changed).
    if (!form.__synced) form.__synced = incoming;
    if (draft.getAttribute("data-revision") === base.value) {
      mark(form);
      return;
    }
    var synced = form.__synced;
    var current = read(form);
    var conflicts = [];
    var kept = false;
    Object.keys(incoming).forEach(function (key) {
      if (current[key] === synced[key]) {
        if (current[key] !== incoming[key]) write(form, key, incoming[key]);
      } else if (current[key] !== incoming[key]) {
        kept = true;
        if (incoming[key] !== synced[key]) conflicts.push(key);
      }
    });
    form.__synced = incoming;
    base.value = draft.getAttribute("data-revision");
    if (baseValue) baseValue.value = draft.getAttribute("data-value");
    mark(form);
    if (conflicts.length) {
      var first = named(form).filter(function (el) { return keyOf(el) === conflicts[0]; })[0];
      if (whole(first)) {
        say(draft.getAttribute("data-conflict-whole"), true);
      } else {
        var names = conflicts.map(function (key) {
          var el = named(form).filter(function (e) { return keyOf(e) === key; })[0];
          return "“" + labelOf(el) + "”";
        });
        say((draft.getAttribute("data-conflict-options") || "").replace("{options}", names.join(", ")), true);
      }
    } else if (kept) {
      say(draft.getAttribute("data-kept"), false);
    }
  }

  document.addEventListener("htmx:wsAfterMessage", sync);
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("#draft-form");
    if (form) mark(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("#draft-form");
    if (form) mark(form);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);
  else sync();
})();
