// The participant page's answer status (connection lost, not sent yet or sent
// again, a change not sent and kept on the device) and a ranking's taps in
// turn. Progressive enhancement only: see docs/reliability.md.
(function () {
  "use strict";
  var RECEIPT_WAIT_MS = 8000;
  var socketOpen = true;
  var networkUp = navigator.onLine !== false;
  var pending = null; // {form, message, socket, timer} while no receipt came
  var current = null; // the WebSocket that opened last
  // Closed with 4403 (opened under another address): nothing reconnects.
  var elsewhere = false;

  function connected() {
    return socketOpen && networkUp;
  }

  function live() {
    return document.querySelector("[data-status-queued]");
  }

  function show(kind) {
    var status = document.getElementById("answer-status");
    var root = live();
    if (!status || !root) return;
    status.textContent = root.getAttribute("data-status-" + kind);
    status.className = "status status-" + kind;
  }

  function refused() {
    var status = document.getElementById("answer-status");
    return !!status && status.getAttribute("role") === "alert";
  }

  function stillWaiting() {
    // Replaced (a receipt, a new screen) or refused: nothing to send again.
    if (pending && (!document.contains(pending.form) || refused())) {
      clearTimeout(pending.timer);
      pending = null;
    }
    return pending !== null;
  }

  // The fields as data-sent has them: values in order, budget points whole.
  function inputs(form) {
    return form.querySelectorAll("[name=value], [name^='points:']");
  }

  function values(form) {
    var shown = [];
    var all = inputs(form);
    for (var i = 0; i < all.length; i++) {
      var field = all[i];
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) continue;
      if (field.name === "value") shown.push(field.value.trim());
      else shown.push(String(parseInt(field.value, 10) || 0));
    }
    return shown;
  }

  function fields(form) {
    return JSON.stringify(values(form));
  }

  // Unsent input is kept in this tab, by page and question, until it is sent.
  function keyOf(form) {
    var question = form.querySelector("[name=question]");
    return question ? "unsent:" + location.pathname + ":" + question.value : null;
  }

  function keep(form) {
    var key = keyOf(form);
    var placed = form.querySelector("[name=placed]"); // a ranking's taps so far
    if (!key) return;
    try {
      if (form.getAttribute("data-sent") === fields(form)) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(
        { fields: values(form), placed: placed ? placed.value : null }));
    } catch (e) {} // storage full or forbidden
  }

  // Tapped here: the fields are newer than the kept ones.
  var touched = false;
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest(".ranking button")) touched = true;
  }, true);

  function restore() {
    var form = document.getElementById("answer-form");
    if (!form || form.getAttribute("data-restored")) return;
    form.setAttribute("data-restored", "yes");
    if (touched) return;
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(keyOf(form)) || "null"); } catch (e) {}
    if (!kept || !kept.fields || form.getAttribute("data-sent") === JSON.stringify(kept.fields)) {
      return;
    }
    var all = inputs(form);
    var next = 0;
    for (var i = 0; i < all.length; i++) {
      var field = all[i];
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = kept.fields.indexOf(field.value) >= 0;
      } else if (next < kept.fields.length) {
        field.value = kept.fields[next++];
      }
    }
    var placed = form.querySelector("[name=placed]");
    var ranking = form.querySelector(".ranking");
    if (placed && kept.placed !== null) placed.value = kept.placed;
    // The server redraws a ranking's labels from its places.
    if (ranking) ranking.dispatchEvent(new Event("restored"));
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function reflectUnsent() {
    var form = document.getElementById("answer-form");
    var status = document.getElementById("answer-status");
    var root = live();
    if (!form || !status || !root || !form.hasAttribute("data-sent") || stillWaiting()) return;
    if (refused()) return;
    var changed = fields(form) !== form.getAttribute("data-sent");
    if (changed && status.getAttribute("data-counted") === null) {
      status.setAttribute("data-counted", status.textContent);
      status.setAttribute("data-counted-class", status.className);
      status.textContent = root.getAttribute("data-status-unsent");
      status.className = "status status-unsent";
    } else if (!changed && status.getAttribute("data-counted") !== null) {
      status.textContent = status.getAttribute("data-counted");
      status.className = status.getAttribute("data-counted-class");
      status.removeAttribute("data-counted");
    }
  }

  function changed() {
    var form = document.getElementById("answer-form");
    if (form && form.getAttribute("data-restored")) keep(form);
    reflectUnsent();
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);
  // A redraw brings a fresh status line; a ranking's taps bring new fields.
  document.addEventListener("htmx:afterSettle", changed);

  // A ranking's requests go one at a time: a tap waits, then is made on the
  // new list (by its id).
  var ranking = null; // the request on its way
  var waiting = []; // the ids of what was tapped meanwhile

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (ranking && elt.closest(".ranking")) {
      event.preventDefault();
      waiting.push(elt.id);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.elt.closest(".ranking")) return;
    ranking = xhr;
    // Drawn, failed or gone: the next one's turn.
    xhr.addEventListener("loadend", function () {
      ranking = null;
      var next = waiting.length && document.getElementById(waiting.shift());
      if (next) htmx.ajax("GET", next.getAttribute("hx-get"), { source: next });
      else waiting = [];
    });
  });

  document.addEventListener("htmx:wsConfigSend", function (event) {
    if (pending) clearTimeout(pending.timer);
    pending = { form: event.target, message: null, socket: event.detail.socketWrapper, timer: 0 };
    show(connected() ? "sending" : "queued");
  });

  document.addEventListener("htmx:wsAfterSend", function (event) {
    if (!stillWaiting() || pending.form !== event.target) return;
    pending.message = event.detail.message;
    clearTimeout(pending.timer);
    pending.timer = setTimeout(function () {
      if (!stillWaiting() || pending.message === null) return;
      show("queued");
      pending.socket.reconnect();
      pending.socket.send(pending.message, pending.form);
    }, RECEIPT_WAIT_MS);
  });

  document.addEventListener("htmx:wsAfterMessage", function () {
    stillWaiting();
    restore();
    changed();
  });

  function reflect() {
    document.body.classList.toggle("offline", !connected() && !elsewhere);
    if (stillWaiting()) show(connected() ? "sending" : "queued");
  }

  document.addEventListener("htmx:wsClose", function (event) {
    var closed = event.detail && event.detail.event && event.detail.event.target;
    // A socket replaced after the receipt wait closing late is old news.
    if (current && closed !== current && current.readyState === WebSocket.OPEN) return;
    if (event.detail && event.detail.event && event.detail.event.code === 4403) elsewhere = true;
    socketOpen = false;
    reflect();
  });

  document.addEventListener("htmx:wsOpen", function (event) {
    current = (event.detail && event.detail.event && event.detail.event.target) || null;
    socketOpen = true;
    reflect();
  });

  // An open socket may survive a short outage: online clears the banner.
  window.addEventListener("offline", function () {
    networkUp = false;
    reflect();
  });

  window.addEventListener("online", function () {
    networkUp = true;
    reflect();
  });
  restore();
  changed();
})();
