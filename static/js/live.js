// Live panels over one websocket per page, or by polling where sockets fail.
//
// The server sends whole panels ({type, rev, panels: {name: html}}); each
// replaces the element with id "panel-<name>" unless the page already shows a
// newer revision. Nothing is ever sent that changes state: "sync" asks for the
// full state, saying which revision this socket has got ({type: "sync", rev}),
// and the server answers {type: "uptodate"} if that is all there is; "ping"
// checks the line. The server answers each at most about once a second. The
// socket reconnects on any close with a backoff, and resyncs whenever the page
// becomes visible again (phones sleep; WeChat drops background sockets).
//
// Where sockets do not work (some in-app browsers and networks: a socket
// that never opens, or keeps dropping, or no WebSocket at all) the page asks
// for its state over plain HTTP every few seconds instead, at the socket's
// address with /live/ for /ws/ (meetings/views_live.py): the server answers
// 304 while the revision the page holds is current, else the full state.
// The status says "polling"; the socket is tried again in the background and
// its first message ends the polling. A page that wakes up, or whose socket
// is not open, asks over HTTP at once.
(function () {
  "use strict";
  var body = document.body;
  var path = body.getAttribute("data-live");
  if (!path) return;

  var lang = body.getAttribute("data-live-lang") || "";
  var query = (path.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang);
  var socketUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path + query;
  var stateUrl = path.replace(/^\/ws\//, "/live/") + query;
  var CONNECTING = 0, OPEN = 1;  // WebSocket.readyState
  var FINAL_CODES = { 4403: true, 4404: true };
  // Poll instead after this many socket opens in a row that fail, or this
  // many sockets lost within a minute after opening.
  var FAILED_OPENS = 3, DROPS = 3, DROP_WINDOW = 60000;
  var POLL_EVERY = 3000;  // ms, give or take a quarter so a room does not poll in step
  var OPEN_TIMEOUT = 8000, FIRST_MESSAGE_TIMEOUT = 5000;
  // A polling page has no socket to say its own vote line changed (staff
  // entered a vote for it): it looks again after a change, this often at most.
  var MINE_EVERY = 20000;

  var socket = null;
  var socketRev = null;  // the newest revision received on the current socket
  var attempt = 0;
  var failedOpens = 0;
  var drops = [];  // when recent sockets were lost after opening
  var reconnectTimer = null;
  var watchdog = null;
  var polling = false;
  var pollTimer = null;
  var pollErrors = 0;
  var asking = false;  // a poll is on its way
  var refused = false;
  var mineAt = 0;
  // The revision of the last full state the page applied (the page as
  // served, a socket's state, a poll's answer): what a poll says it has.
  // Pushes do not count: one lost before it reached this server process
  // would leave a gap the page could not see.
  var fullRev = initialRevision();

  function initialRevision() {
    var panels = document.querySelectorAll("[id^='panel-'][data-rev]");
    var lowest = null;
    for (var i = 0; i < panels.length; i++) {
      var rev = Number(panels[i].getAttribute("data-rev"));
      if (isFinite(rev) && (lowest === null || rev < lowest)) lowest = rev;
    }
    return lowest;
  }

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
    if (message.type === "state") holds(rev);
    body.setAttribute("data-rev", String(Math.max(rev, Number(body.getAttribute("data-rev")) || 0)));
    document.dispatchEvent(new CustomEvent("yishi:panels", { detail: { rev: rev, names: Object.keys(panels) } }));
  }

  function holds(rev) {
    if (isFinite(rev) && (fullRev === null || rev > fullRev)) fullRev = rev;
  }

  // A closed door: the household's code was revoked (4403, or 403 over
  // HTTP), or the meeting is gone (4404, 404). No retries.
  function refuse(code) {
    refused = true;
    stopPolling();
    clearTimeout(reconnectTimer);
    clearTimeout(watchdog);
    if (socket && socket.readyState <= OPEN) socket.close();
    setStatus("refused");
    // A phone whose household code was revoked: the page itself now
    // answers with the join form. Reload once, never in a loop.
    try {
      var last = Number(sessionStorage.getItem("yishi-refused-reload")) || 0;
      if (code === 4403 && body.getAttribute("data-household") && Date.now() - last > 60000) {
        sessionStorage.setItem("yishi-refused-reload", String(Date.now()));
        location.reload();
      }
    } catch (e) { /* no sessionStorage (some private modes): stay on the page */ }
  }

  // Close the current socket if `ms` pass without what it waits for.
  function arm(ms) {
    clearTimeout(watchdog);
    var watched = socket;
    watchdog = setTimeout(function () { if (watched === socket) watched.close(); }, ms);
  }

  function connect() {
    clearTimeout(reconnectTimer);
    if (refused || !window.WebSocket) return;
    if (socket && (socket.readyState === OPEN || socket.readyState === CONNECTING)) return;
    var current;
    try {
      current = socket = new WebSocket(socketUrl);
    } catch (e) {
      socket = null;
      failed(false);
      return;
    }
    var opened = false, heard = false;
    socketRev = null;
    arm(OPEN_TIMEOUT);
    current.onopen = function () {
      opened = true;
      arm(FIRST_MESSAGE_TIMEOUT);  // the server sends the state at once
    };
    current.onmessage = function (event) {
      if (current !== socket) return;
      clearTimeout(watchdog);
      if (!heard) {
        // A socket that works: back to it.
        heard = true;
        attempt = 0;
        failedOpens = 0;
        stopPolling();
        setStatus("online");
      }
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.now && window.yishiClock) window.yishiClock.serverNow(message.now);
      if (message.type === "push" || message.type === "state") {
        apply(message);
        var rev = Number(message.rev);
        if (isFinite(rev) && (socketRev === null || rev > socketRev)) socketRev = rev;
      }
      // The server has sent this socket everything up to its revision.
      if (message.type === "uptodate") holds(Number(message.rev));
      // "pong" only shows that the line is alive.
      // Something only this page's own household should look at again (its
      // vote line, after staff entered a vote for it): fetched over HTTP.
      if (message.type === "mine") document.dispatchEvent(new CustomEvent("yishi:mine"));
    };
    current.onclose = function (event) {
      if (current !== socket || refused) return;
      clearTimeout(watchdog);
      if (FINAL_CODES[event.code]) { refuse(event.code); return; }
      failed(opened);
    };
  }

  function failed(opened) {
    var now = Date.now();
    if (opened) drops.push(now);
    else failedOpens++;
    drops = drops.filter(function (at) { return now - at < DROP_WINDOW; });
    if (!polling && (failedOpens >= FAILED_OPENS || drops.length >= DROPS)) startPolling();
    if (!polling) setStatus("offline");
    // 0.5 s, 1 s, 2 s ... up to 10 s (30 s while polling), with jitter so a
    // room does not reconnect in lockstep after a server restart.
    var delay = Math.min(polling ? 30000 : 10000, 500 * Math.pow(2, attempt++)) * (0.75 + Math.random() / 2);
    reconnectTimer = setTimeout(connect, delay);
  }

  // Try the socket now rather than at the end of its backoff.
  function retrySocket() {
    if (refused || (socket && socket.readyState <= OPEN)) return;
    connect();
  }

  function startPolling() {
    if (polling || refused) return;
    polling = true;
    pollErrors = 0;
    poll();
  }

  function stopPolling() {
    polling = false;
    clearTimeout(pollTimer);
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!polling || refused || document.visibilityState === "hidden") return;
    // Every 3 s; after failures 6 s, then 10 s.
    var delay = Math.min(10000, POLL_EVERY * Math.pow(2, pollErrors)) * (0.75 + Math.random() / 2);
    pollTimer = setTimeout(poll, delay);
  }

  // Ask for the state over HTTP (polling, or once when the socket is down).
  function poll() {
    clearTimeout(pollTimer);
    if (asking || refused) return;
    asking = true;
    var xhr = new XMLHttpRequest();
    var sent = Date.now();
    xhr.open("GET", stateUrl + (fullRev === null ? "" : "&rev=" + fullRev));
    xhr.timeout = 10000;
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () { answered(xhr, sent); };
    xhr.onerror = xhr.ontimeout = function () { answered(null, sent); };
    xhr.send();
  }

  function answered(xhr, sent) {
    asking = false;
    var status = xhr ? xhr.status : 0;
    if (status === 403 || status === 404) { refuse(status === 403 ? 4403 : 4404); return; }
    if (status === 200 || status === 304) {
      // The server's clock when it answered, half the round trip ago.
      var now = Number(xhr.getResponseHeader("X-Server-Now"));
      if (now && window.yishiClock) window.yishiClock.serverNow(now + (Date.now() - sent) / 2);
      var recovered = pollErrors > 0;
      pollErrors = 0;
      if (status === 200) {
        var message = null;
        try { message = JSON.parse(xhr.responseText); } catch (e) { /* a proxy's page: ignore */ }
        if (message && message.type === "state") {
          apply(message);
          if (polling && Date.now() - mineAt > MINE_EVERY) {
            mineAt = Date.now();
            document.dispatchEvent(new CustomEvent("yishi:mine"));
          }
        }
      }
      if (polling) setStatus("polling");
      // The server answers again (after a restart, a dead network): the
      // socket may well work too.
      if (recovered) retrySocket();
    } else {
      pollErrors++;
      if (polling) setStatus("offline");
    }
    schedulePoll();
  }

  // Show the current state now: the page was asleep or hidden, or came back
  // online. Over the socket if it is open (it answers "uptodate" or the
  // state; if nothing comes back soon the line is dead), else over HTTP.
  function resync() {
    if (refused) return;
    if (polling || !socket || socket.readyState !== OPEN) {
      poll();
      attempt = Math.min(attempt, 2);
      retrySocket();
      return;
    }
    var sync = { type: "sync" };
    if (socketRev !== null) sync.rev = socketRev;
    socket.send(JSON.stringify(sync));
    clearTimeout(watchdog);
    var watched = socket;
    watchdog = setTimeout(function () {
      if (watched !== socket) return;
      watched.close();
      poll();
    }, 4000);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") resync();
    else clearTimeout(pollTimer);  // a hidden page does not poll
  });
  window.addEventListener("online", resync);
  window.addEventListener("pageshow", function (event) { if (event.persisted) resync(); });
  // A quiet line can die without a close event (NAT timeouts, sleeping radios).
  setInterval(function () {
    if (document.visibilityState !== "visible" || !socket || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: "ping" }));
    arm(10000);
  }, 25000);

  window.yishiLive = { resync: resync, apply: apply };
  if (window.WebSocket) connect();
  else startPolling();
})();
