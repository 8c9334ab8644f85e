// The projector's result bars grow as answers arrive (templates/projector/results.html).
// Progressive enhancement only: without it the projector shows the same figures
// and each bar jumps to its new length.
//
// Every tally redraws the projector's stage (an htmx out-of-band swap from its
// socket), so each bar is a new element and would jump. This script notes every
// bar's length by id before the swap, draws the new bar at that length after it
// (at 0 when it has just appeared), and lets the CSS transition of .bar-fill
// (projector.css) carry it to its new length.
(function () {
  "use strict";
  var before = null;

  // Only the stage's own swap counts (htmx also reports the pieces it is made of).
  function isStage(event) {
    return event.target && event.target.id === "projector-stage";
  }

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    if (!isStage(event)) return;
    before = {};
    document.querySelectorAll(".room-bar .bar-fill[id]").forEach(function (bar) {
      before[bar.id] = bar.getAttribute("width");
    });
  });

  // After the whole message: htmx gives a new element the old one's attributes
  // during the swap and its own back when it settles, which is done by then.
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (before === null) return;
    var was = before;
    before = null;
    document.querySelectorAll(".room-bar .bar-fill[id]").forEach(function (bar) {
      var now = bar.getAttribute("width");
      var old = was[bar.id] === undefined ? "0" : was[bar.id];
      if (old === now) return;
      // Through the style (CSSOM), which a transition follows; a bar's width
      // is in the units of its viewBox, 0 to 100.
      bar.style.width = old + "px";
      bar.getBoundingClientRect(); // the old length is drawn first: the transition starts there
      requestAnimationFrame(function () {
        bar.style.width = now + "px";
      });
    });
  });

  // While the themes or the common ground are up, the projector asks for its
  // stage every few seconds (templates/projector/stage.html). An answer that
  // left the server before an event the socket has drawn since must not put
  // the older stage back: each stage carries its sequence number.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var stage = document.getElementById("projector-stage");
    var xhr = event.detail.xhr;
    if (!stage || !xhr) return;
    var found = /data-seq="(\d+)"/.exec(xhr.responseText || "");
    if (found && Number(found[1]) < Number(stage.dataset.seq)) event.detail.shouldSwap = false;
  });
})();
