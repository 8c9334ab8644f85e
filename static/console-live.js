// The facilitator console's live regions (docs/accessibility.md, "Live updates").
// Progressive enhancement only: without it the console still updates live and
// every form still works.
//
// A live update replaces a region's whole HTML (an htmx out-of-band swap from
// the console's socket). Inside the table overview that would close a device
// list the facilitator just opened, undo a table picked in a "Move to table"
// list and drop the keyboard focus, several times a second while a hall is
// answering. For regions marked data-keep-state, this script notes which
// <details> are open or closed (the console's "All cards" is drawn open and
// stays closed once the facilitator closed it), which <select> differs from
// what the server chose and what has focus (all by id) before the swap, and
// puts them back after it.
(function () {
  "use strict";
  var kept = null;

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var region = event.detail && event.detail.target;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-keep-state")) return;
    var focused = document.activeElement;
    kept = {
      region: region.id,
      open: {},
      values: {},
      focus: focused && focused.id && region.contains(focused) ? focused.id : null,
    };
    region.querySelectorAll("details[id]").forEach(function (details) {
      kept.open[details.id] = details.open;
    });
    region.querySelectorAll("select[id]").forEach(function (select) {
      var chosen = select.options[select.selectedIndex];
      if (chosen && !chosen.defaultSelected) kept.values[select.id] = select.value;
    });
  });

  document.addEventListener("htmx:oobAfterSwap", function () {
    if (!kept || !document.getElementById(kept.region)) return;
    Object.keys(kept.open).forEach(function (id) {
      var details = document.getElementById(id);
      if (details) details.open = kept.open[id];
    });
    Object.keys(kept.values).forEach(function (id) {
      var select = document.getElementById(id);
      var wanted = kept.values[id];
      if (select && Array.prototype.some.call(select.options, function (o) { return o.value === wanted; })) {
        select.value = wanted;
      }
    });
    var focus = kept.focus && document.getElementById(kept.focus);
    if (focus) focus.focus({ preventScroll: true });
    kept = null;
  });
})();
