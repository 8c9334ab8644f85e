// The participant page's connection status (docs/reliability.md explains why
// this file exists). Progressive enhancement only: without it answers are still
// queued and sent by the htmx websocket extension, and the server's receipt is
// still the only "your answer is counted".
//
// - While the socket is closed, the page shows a banner, and an answer sent in
//   that time shows "Not sent yet, retrying" (the extension queues it and sends
//   it when the socket opens again).
// - A socket can look open while the network under it is dead (a phone changing
//   networks). If no receipt comes within RECEIPT_WAIT_MS of sending, the answer
//   is shown as not sent, the socket is replaced and the answer sent again; the
//   server counts an answer id once, so a resend is harmless.
// - When the browser itself knows it is offline, the page says so at once
//   rather than "Sending..." until the receipt wait runs out.
(function () {
  "use strict";
  var RECEIPT_WAIT_MS = 8000;
  var socketOpen = true;
  var networkUp = navigator.onLine !== false;
  var pending = null; // {form, message, socket, timer} while no receipt came
  var current = null; // the WebSocket that opened last

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

  function stillWaiting() {
    if (pending && !document.contains(pending.form)) {
      clearTimeout(pending.timer); // a receipt or a new screen replaced the form
      pending = null;
    }
    return pending !== null;
  }

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

  document.addEventListener("htmx:wsAfterMessage", stillWaiting);

  function reflect() {
    document.body.classList.toggle("offline", !connected());
    if (stillWaiting()) show(connected() ? "sending" : "queued");
  }

  document.addEventListener("htmx:wsClose", function (event) {
    var closed = event.detail && event.detail.event && event.detail.event.target;
    // A socket replaced after the receipt wait may report its close only when
    // the network is back, after its successor opened: that is old news.
    if (current && closed !== current && current.readyState === WebSocket.OPEN) return;
    socketOpen = false;
    reflect();
  });

  document.addEventListener("htmx:wsOpen", function (event) {
    current = (event.detail && event.detail.event && event.detail.event.target) || null;
    socketOpen = true;
    reflect();
  });

  // An open socket may survive a short outage (the browser holds its frames),
  // so coming back online clears the banner unless the socket did close.
  window.addEventListener("offline", function () {
    networkUp = false;
    reflect();
  });

  window.addEventListener("online", function () {
    networkUp = true;
    reflect();
  });
})();
