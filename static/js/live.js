// Live panels over one websocket per page.
//
// The server sends whole panels ({type, rev, panels: {name: html}}); each
// replaces the element with id "panel-<name>" unless the page already shows a
// newer revision. Nothing is ever sent that changes state: "sync" asks for the
// full state, saying which revision this socket has got ({type: "sync", rev}),
// and the server answers {type: "uptodate"} if that is all there is; "ping"
// checks the line. The server answers each at most about once a second. The
// socket reconnects on any close with a backoff, and resyncs whenever the page
// becomes visible again (phones sleep; WeChat drops background sockets).
(function () {
  "use strict";
  var body = document.body;
  var path = body.getAttribute("data-live");
  if (!path || !window.WebSocket) return;

  var lang = body.getAttribute("data-live-lang") || "";
  var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path +
    (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
  var socket = null;
  var socketRev = null;  // the newest revision received on the current socket
  var attempt = 0;
  var reconnectTimer = null;
  var watchdog = null;
  var FINAL_CODES = { 4403: true, 4404: true };

  function setStatus(state) {
    var nodes = document.querySelectorAll("[data-live-status]");
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].setAttribute("data-state", state);
      nodes[i].textContent = nodes[i].getAttribute("data-label-" + state) || state;
    }
    body.setAttribute("data-connection", state);
  }

  // Boxes a resident has ticked survive a push of the same panel.
  function keepTicks(from, to) {
    var ticked = from.querySelectorAll("input[type=checkbox]:checked, input[type=radio]:checked");
    for (var i = 0; i < ticked.length; i++) {
      var twin = to.querySelector('input[name="' + ticked[i].name + '"][value="' + ticked[i].value + '"]');
      if (twin) twin.checked = true;
    }
  }

  function apply(message) {
    var panels = message.panels || {};
    var rev = Number(message.rev) || 0;
    Object.keys(panels).forEach(function (name) {
      var current = document.getElementById("panel-" + name);
      if (!current) return;
      var shown = Number(current.getAttribute("data-rev")) || 0;
      if (shown > rev) return;  // stale
      if (shown === rev && message.type === "state") return;  // the page already shows this revision
      var holder = document.createElement("template");
      holder.innerHTML = panels[name].trim();
      var fresh = holder.content.firstElementChild;
      if (!fresh) return;
      fresh.setAttribute("data-rev", String(rev));
      keepTicks(current, fresh);
      current.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    });
    body.setAttribute("data-rev", String(Math.max(rev, Number(body.getAttribute("data-rev")) || 0)));
    document.dispatchEvent(new CustomEvent("yishi:panels", { detail: { rev: rev, names: Object.keys(panels) } }));
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (socket && (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING)) return;
    socket = new WebSocket(url);
    socketRev = null;
    socket.onopen = function () { attempt = 0; setStatus("online"); };
    socket.onmessage = function (event) {
      clearTimeout(watchdog);
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.now && window.yishiClock) window.yishiClock.serverNow(message.now);
      if (message.type === "push" || message.type === "state") {
        apply(message);
        var rev = Number(message.rev);
        if (isFinite(rev) && (socketRev === null || rev > socketRev)) socketRev = rev;
      }
      // "uptodate" and "pong" only show that the line is alive.
      // Something only this page's own household should look at again (its
      // vote line, after staff entered a vote for it): fetched over HTTP.
      if (message.type === "mine") document.dispatchEvent(new CustomEvent("yishi:mine"));
    };
    socket.onclose = function (event) {
      clearTimeout(watchdog);
      if (FINAL_CODES[event.code]) {
        setStatus("refused");
        // A phone whose household code was revoked: the page itself now
        // answers with the join form. Reload once, never in a loop.
        try {
          var last = Number(sessionStorage.getItem("yishi-refused-reload")) || 0;
          if (event.code === 4403 && body.getAttribute("data-household") && Date.now() - last > 60000) {
            sessionStorage.setItem("yishi-refused-reload", String(Date.now()));
            location.reload();
          }
        } catch (e) { /* no sessionStorage (some private modes): stay on the page */ }
        return;
      }
      setStatus("offline");
      // 0.5 s, 1 s, 2 s ... up to 10 s, with jitter so a room does not
      // reconnect in lockstep after a server restart.
      var delay = Math.min(10000, 500 * Math.pow(2, attempt++)) * (0.75 + Math.random() / 2);
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  // Ask for the full state; if nothing comes back soon the line is dead.
  function resync() {
    if (!socket || socket.readyState !== WebSocket.OPEN) { attempt = 0; connect(); return; }
    var sync = { type: "sync" };
    if (socketRev !== null) sync.rev = socketRev;
    socket.send(JSON.stringify(sync));
    clearTimeout(watchdog);
    watchdog = setTimeout(function () { socket.close(); }, 4000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
  });
  window.addEventListener("online", resync);
  window.addEventListener("pageshow", function (event) { if (event.persisted) resync(); });
  // A quiet line can die without a close event (NAT timeouts, sleeping radios).
  setInterval(function () {
    if (document.visibilityState !== "visible" || !socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    clearTimeout(watchdog);
    watchdog = setTimeout(function () { socket.close(); }, 10000);
  }, 25000);

  window.yishiLive = { resync: resync, apply: apply };
  connect();
})();
